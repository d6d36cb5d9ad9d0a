//! Pass 7: route types, deprecation and attributes (`stone_cfg.Route`).

use super::checks::PyVal;
use super::*;
use crate::ast::{DefaultValue, Literal};

impl Builder<'_> {
    /// The route attribute schema: the fields of `stone_cfg.Route`.
    fn route_schema(&mut self) -> R<Option<StructId>> {
        let Some(nb) = self.ns.get("stone_cfg") else {
            return Ok(None);
        };
        if let Some(r) = nb.routes.first() {
            return Err(Diagnostic::new(
                self.api.route(*r).pos,
                "No routes can be defined in the stone_cfg namespace.",
            ));
        }
        let mut schema = None;
        for key in nb.types.clone() {
            if self.type_name(key) != "Route" {
                return Err(Diagnostic::new(
                    self.type_pos(key),
                    "Only a struct named 'Route' can be defined in the stone_cfg namespace.",
                ));
            }
            match key {
                TypeKey::S(id) => schema = Some(id),
                TypeKey::U(_) => {
                    return Err(Diagnostic::new(
                        self.type_pos(key),
                        "stone_cfg.Route must be a struct, not a union.",
                    ))
                }
            }
        }
        Ok(schema)
    }

    pub(super) fn populate_routes(&mut self) {
        let schema = match self.route_schema() {
            Ok(s) => s,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        if let Some(id) = schema {
            self.api.route_schema = self
                .api
                .all_struct_fields(id)
                .into_iter()
                .map(|f| RouteAttrSpec {
                    name: f.name.clone(),
                    data_type: f.data_type.clone(),
                    default: f.default.clone(),
                    doc: f.doc.clone(),
                })
                .collect();
        }
        for ns in self.ns_order.clone() {
            if ns == "stone_cfg" {
                continue;
            }
            for id in self.ns[&ns].routes.clone() {
                let r = self.populate_route(&ns, id);
                self.record(r);
            }
        }
    }

    fn populate_route(&mut self, ns: &str, id: RouteId) -> R<()> {
        let r = self.route_ast[id.0 as usize].clone();
        let arg = self.resolve_type(ns, &r.arg, false)?;
        let result = self.resolve_type(ns, &r.result, false)?;
        let Some(error_ref) = &r.error else {
            // Stone 3.5.5 crashes on a route without an error type.
            return Err(Diagnostic::new(
                r.pos,
                format!(
                    "Route '{}' must name its arg, result and error types: (Arg, Result, Error).",
                    r.name
                ),
            ));
        };
        let error = self.resolve_type(ns, error_ref, false)?;
        let deprecated = match &r.deprecated {
            None => None,
            Some(None) => Some(None),
            Some(Some((by, v))) => {
                let version = u32::try_from(*v).unwrap_or(0);
                match self.env(ns).get(by) {
                    Some(Sym::Routes(vs)) if vs.contains_key(&version) => {
                        Some(Some((by.clone(), version)))
                    }
                    Some(Sym::Routes(_)) | None => {
                        return Err(Diagnostic::new(
                            r.pos,
                            format!("Undefined route '{by}' at version {v}."),
                        ))
                    }
                    Some(_) => {
                        return Err(Diagnostic::new(r.pos, format!("'{by}' must be a route.")))
                    }
                }
            }
        };
        let attrs = self.route_attrs(&r)?;
        let route = &mut self.api.routes[id.0 as usize];
        route.arg = arg;
        route.result = result;
        route.error = error;
        route.deprecated = deprecated;
        route.attrs = attrs;
        Ok(())
    }

    /// `Struct.check_attr_repr` of the schema: every attribute, given or
    /// defaulted; a missing required one or an unknown one is an error.
    fn route_attrs(&self, r: &ast::Route) -> R<BTreeMap<String, Constant>> {
        let mut given: Vec<&ast::AttrField> = vec![];
        for a in &r.attrs {
            if let Some(slot) = given.iter_mut().find(|x| x.name == a.name) {
                *slot = a;
            } else {
                given.push(a);
            }
        }
        let mut out = BTreeMap::new();
        for spec in &self.api.route_schema {
            let value = match given.iter().position(|a| a.name == spec.name) {
                Some(i) => {
                    let a = given.remove(i);
                    self.attr_value(&spec.data_type, a)?
                }
                None => None,
            };
            let value = match value {
                Some(v) => v,
                None => match &spec.default {
                    Some(d) => d.clone(),
                    None if self.api.unalias(&spec.data_type).is_nullable()
                        || self.nullable_behind_alias(&spec.data_type) =>
                    {
                        Constant::Null
                    }
                    None => {
                        return Err(Diagnostic::new(
                            r.pos,
                            format!("Route does not define attr key '{}'.", spec.name),
                        ))
                    }
                },
            };
            out.insert(spec.name.clone(), value);
        }
        if let Some(extra) = given.last() {
            return Err(Diagnostic::new(
                extra.pos,
                format!(
                    "Route attribute '{}' is not defined in 'stone_cfg.Route'.",
                    extra.name
                ),
            ));
        }
        Ok(out)
    }

    fn nullable_behind_alias(&self, t: &DataType) -> bool {
        let mut cur = t;
        for _ in 0..=self.api.aliases.len() {
            match cur {
                DataType::Nullable(_) => return true,
                DataType::Alias(a) => cur = &self.api.alias(*a).data_type,
                _ => return false,
            }
        }
        false
    }

    /// One attribute's value checked against its type. `None` where the
    /// attribute is null (the default then applies).
    fn attr_value(&self, dt: &DataType, a: &ast::AttrField) -> R<Option<Constant>> {
        let err = |m: String| Diagnostic::new(a.pos, m);
        match dt {
            DataType::Alias(id) => self.attr_value(&self.api.alias(*id).data_type, a),
            DataType::Nullable(inner) => match &a.value {
                DefaultValue::Lit(Literal::Null) => Ok(None),
                _ => self.attr_value(inner, a),
            },
            DataType::Union(_) => match &a.value {
                DefaultValue::Tag { tag, .. } => {
                    self.check_value(dt, PyVal::Tag(tag)).map_err(err)?;
                    Ok(Some(Constant::Tag(tag.clone())))
                }
                _ => Err(err("Expected union tag as value.".into())),
            },
            DataType::Struct(_) | DataType::List { .. } | DataType::Map { .. } | DataType::Void => {
                Err(err(format!(
                    "Route attribute '{}' has a type that cannot be given a value.",
                    a.name
                )))
            }
            _ => {
                let (pv, c) = match &a.value {
                    DefaultValue::Tag { tag, .. } => {
                        (PyVal::AstTag(tag), Constant::Tag(tag.clone()))
                    }
                    DefaultValue::Lit(l) => {
                        (PyVal::from_lit(l), super::annotations::literal_constant(l))
                    }
                };
                self.check_value(dt, pv).map_err(err)?;
                Ok(if c == Constant::Null { None } else { Some(c) })
            }
        }
    }
}
