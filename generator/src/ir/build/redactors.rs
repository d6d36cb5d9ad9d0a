//! Pass 11: redactors go on primitive data only, once along an alias chain.

use super::*;

impl Builder<'_> {
    /// The pass's results in order; it reads the IR only.
    pub(super) fn redactor_results(&self) -> Vec<R<()>> {
        let mut results = vec![];
        for ns in &self.ns_order {
            if ns == "stone_cfg" {
                continue;
            }
            let nb = &self.ns[ns];
            let mut check = |name: &str, pos: Pos, dt: &DataType| {
                results.push(if matches!(dt, DataType::Alias(_)) {
                    Err(Diagnostic::new(pos, "Redactors can only be applied to alias definitions, not to alias references."))
                } else {
                    self.check_redactable(name, pos, dt)
                });
            };
            for &key in &nb.types {
                match key {
                    TypeKey::S(id) => {
                        for f in self
                            .api
                            .struct_(id)
                            .fields
                            .iter()
                            .filter(|f| f.redactor.is_some())
                        {
                            check(&f.name, f.pos, &f.data_type);
                        }
                    }
                    TypeKey::U(id) => {
                        for f in self
                            .api
                            .union(id)
                            .variants
                            .iter()
                            .filter(|f| f.redactor.is_some())
                        {
                            check(&f.name, f.pos, &f.data_type);
                        }
                    }
                }
            }
            for &id in &nb.aliases {
                let a = self.api.alias(id);
                if a.redactor.is_some() {
                    results.push(self.check_redactable(&a.name, a.pos, &a.data_type));
                }
            }
        }
        results
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
