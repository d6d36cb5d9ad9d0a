//! Pass 11: redactors go on primitive data only, once along an alias chain.

use super::*;

impl Builder<'_> {
    pub(super) fn validate_redactors(&mut self) {
        for ns in self.ns_order.clone() {
            if ns == "stone_cfg" {
                continue;
            }
            let nb = &self.ns[&ns];
            let (types, aliases) = (nb.types.clone(), nb.aliases.clone());
            for key in types {
                let fields: Vec<(String, Pos, DataType)> = match key {
                    TypeKey::S(id) => self
                        .api
                        .struct_(id)
                        .fields
                        .iter()
                        .filter(|f| f.redactor.is_some())
                        .map(|f| (f.name.clone(), f.pos, f.data_type.clone()))
                        .collect(),
                    TypeKey::U(id) => self
                        .api
                        .union(id)
                        .variants
                        .iter()
                        .filter(|f| f.redactor.is_some())
                        .map(|f| (f.name.clone(), f.pos, f.data_type.clone()))
                        .collect(),
                };
                for (name, pos, dt) in fields {
                    let r = if matches!(dt, DataType::Alias(_)) {
                        Err(Diagnostic::new(pos, "Redactors can only be applied to alias definitions, not to alias references."))
                    } else {
                        self.check_redactable(&name, pos, &dt)
                    };
                    self.record(r);
                }
            }
            for id in aliases {
                let a = self.api.alias(id);
                if a.redactor.is_some() {
                    let r = self.check_redactable(&a.name.clone(), a.pos, &a.data_type.clone());
                    self.record(r);
                }
            }
        }
    }

    fn check_redactable(&self, name: &str, pos: Pos, dt: &DataType) -> R<()> {
        let mut cur = dt;
        loop {
            match cur {
                DataType::Alias(a) => {
                    let alias = self.api.alias(*a);
                    if alias.redactor.is_some() {
                        return Err(Diagnostic::new(
                            pos,
                            format!(
                                "A redactor has already been defined for '{name}' by '{}'.",
                                alias.name
                            ),
                        ));
                    }
                    cur = &alias.data_type;
                }
                DataType::Nullable(inner) => cur = inner,
                _ => break,
            }
        }
        if matches!(cur, DataType::List { .. } | DataType::Map { .. }) {
            loop {
                cur = match cur {
                    DataType::Map { value, .. } => value,
                    DataType::List { of, .. } => of,
                    DataType::Nullable(inner) => inner,
                    _ => break,
                };
                if !matches!(
                    cur,
                    DataType::List { .. } | DataType::Map { .. } | DataType::Nullable(_)
                ) {
                    break;
                }
            }
        }
        if matches!(
            cur,
            DataType::Struct(_) | DataType::Union(_) | DataType::Void
        ) {
            return Err(Diagnostic::new(
                pos,
                "Redactors can't be applied to user-defined or void types.",
            ));
        }
        Ok(())
    }
}
