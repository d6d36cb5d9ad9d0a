//! Pass 6: enumerated subtypes (`union` / `union_closed` inside a struct).

use super::*;

impl Builder<'_> {
    pub(super) fn populate_enumerated_subtypes(&mut self) {
        for ns in self.ns_order.clone() {
            let types = self.ns[&ns].types.clone();
            for key in &types {
                let TypeKey::S(id) = *key else { continue };
                if self.struct_ast[id.0 as usize].subtypes.is_none() {
                    continue;
                }
                let r = self.set_enumerated_subtypes(&ns, id);
                self.record(r);
            }
            // Regular structs may only be leaves of a subtype tree.
            for key in &types {
                let TypeKey::S(id) = *key else { continue };
                let Some(subs) = self.api.struct_(id).subtypes.clone() else {
                    continue;
                };
                for (_, sub) in subs.tags {
                    let s = self.api.struct_(sub);
                    if s.subtypes.is_none() && !s.children.is_empty() {
                        let e = Diagnostic::new(
                            s.pos,
                            format!("Subtype '{}' cannot be extended.", s.name),
                        );
                        self.errors.push(e);
                    }
                }
            }
        }
    }

    fn set_enumerated_subtypes(&mut self, ns: &str, id: StructId) -> R<()> {
        let (fields, open) = self.struct_ast[id.0 as usize]
            .subtypes
            .clone()
            .expect("has subtypes");
        let mut resolved = vec![];
        for f in &fields {
            if !self.env(ns).contains_key(&f.type_ref.name) {
                return Err(Diagnostic::new(
                    f.type_ref.pos,
                    format!("Undefined type '{}'.", f.type_ref.name),
                ));
            }
            match self.resolve_type(ns, &f.type_ref, true)? {
                DataType::Struct(sub) => resolved.push((f, sub)),
                _ => {
                    return Err(Diagnostic::new(
                        f.type_ref.pos,
                        format!("Enumerated subtype '{}' must be a struct.", f.type_ref.name),
                    ))
                }
            }
        }
        let s = self.api.struct_(id);
        if s.parent.is_some() {
            return Err(Diagnostic::new(
                s.pos,
                format!(
                    "'{}' enumerates subtypes so it cannot extend another struct.",
                    s.name
                ),
            ));
        }
        // Names already taken: the struct's own fields, then each tag added.
        let mut taken: Vec<(String, Pos)> =
            s.fields.iter().map(|f| (f.name.clone(), f.pos)).collect();
        let mut seen_types: Vec<StructId> = vec![];
        let mut tags = vec![];
        for (f, sub) in resolved {
            let sub_s = self.api.struct_(sub);
            if seen_types.contains(&sub) {
                return Err(Diagnostic::new(
                    f.pos,
                    format!("Subtype '{}' can only be specified once.", sub_s.name),
                ));
            }
            if sub_s.parent != Some(id) {
                return Err(Diagnostic::new(
                    f.pos,
                    format!("'{}' is not a subtype of '{}'.", sub_s.name, s.name),
                ));
            }
            if let Some((_, orig)) = taken.iter().find(|(n, _)| *n == f.name) {
                return Err(Diagnostic::new(
                    *orig,
                    format!("Field '{}' already defined on line {}.", f.name, f.pos.line),
                ));
            }
            taken.push((f.name.clone(), f.pos));
            seen_types.push(sub);
            tags.push((f.name.clone(), sub));
        }
        for child in &s.children {
            if !seen_types.contains(child) {
                return Err(Diagnostic::new(
                    s.pos,
                    format!(
                        "'{}' does not enumerate all subtypes, missing '{}'",
                        s.name,
                        self.api.struct_(*child).name
                    ),
                ));
            }
        }
        self.api.structs[id.0 as usize].subtypes = Some(EnumeratedSubtypes {
            tags,
            catch_all: open,
        });
        Ok(())
    }
}
