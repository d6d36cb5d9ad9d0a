//! Pass 9: examples. Each is checked against its type, then computed into
//! wire JSON with references to other examples resolved.

use super::*;
use crate::ast::{ExValue, Literal};
use serde_json::{Map, Value};

/// The example being computed, to catch reference cycles (Stone recurses
/// until Python's stack runs out).
type Stack = Vec<(TypeKey, String)>;
/// Each type's examples that passed their checks.
type Raw<'a> = HashMap<TypeKey, Vec<&'a ast::Example>>;
/// Computed example values by type and label (only those that computed
/// without error: a reference stops at one, which bounds how deep a later
/// example's references go, so it is kept the same in both modes).
#[derive(Default)]
struct Memo {
    values: HashMap<TypeKey, HashMap<String, Value>>,
    /// Check the examples only: every reference is followed and every error
    /// found as when they are built, but no value is made (each is `Null`).
    /// Building them is most of the examples' time, and the summary reads
    /// none.
    dry: bool,
}

impl Memo {
    fn keep(&mut self, key: TypeKey, label: &str, value: Value) -> Value {
        self.values
            .entry(key)
            .or_default()
            .insert(label.to_string(), value.clone());
        value
    }
}

fn lit_json(l: &Literal) -> Value {
    match l {
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => crate::ir::value::int_json(*i),
        Literal::BigInt(s) => Value::String(s.clone()),
        Literal::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Literal::Str(s) => Value::String(s.clone()),
        Literal::Null => Value::Null,
    }
}

/// Errors found checking examples, and each type's examples (or error).
pub(super) type ExampleResults = (Vec<Diagnostic>, Vec<(TypeKey, R<Vec<Example>>)>);

impl Builder<'_> {
    /// The examples of every type, or the errors found checking them; it
    /// reads the IR and the types' AST only (`apply_examples` stores them).
    pub(super) fn example_results(
        &self,
        struct_ast: &[ast::TypeDef],
        union_ast: &[ast::TypeDef],
    ) -> ExampleResults {
        let mut errors = vec![];
        let mut results = vec![];
        {
            // First every example is checked (its fields against their types)...
            // Sized at once: grown by doubling, its tables were fresh
            // memory (for the kernel to clear) several times over.
            let types = self.api.structs.len() + self.api.unions.len();
            let mut raw: Raw = HashMap::with_capacity_and_hasher(types, Default::default());
            for ns in &self.ns_order {
                for &key in &self.ns[ns].types {
                    let def = match key {
                        TypeKey::S(id) => &struct_ast[id.0 as usize],
                        TypeKey::U(id) => &union_ast[id.0 as usize],
                    };
                    let mut ok = vec![];
                    for ex in &def.examples {
                        match self.add_example(key, ex) {
                            Ok(()) => ok.push(ex),
                            Err(e) => errors.push(e),
                        }
                    }
                    raw.insert(key, ok);
                }
            }
            // ...then computed, now that every type's raw examples are known.
            if errors.is_empty() {
                let mut memo = Memo {
                    dry: !self.example_values,
                    ..Memo::default()
                };
                for ns in &self.ns_order {
                    for &key in &self.ns[ns].types {
                        results.push((key, self.compute_examples(key, &raw, &mut memo)));
                    }
                }
            }
        }
        (errors, results)
    }

    pub(super) fn apply_examples(&mut self, (errors, results): ExampleResults) {
        self.errors.extend(errors);
        for (key, r) in results {
            if let Some(list) = self.record(r) {
                match key {
                    TypeKey::S(id) => self.api.structs[id.0 as usize].examples = list,
                    TypeKey::U(id) => self.api.unions[id.0 as usize].examples = list,
                }
            }
        }
    }

    fn add_example(&self, key: TypeKey, ex: &ast::Example) -> R<()> {
        let bad = |field: &str, msg: String, pos: Pos| {
            Diagnostic::new(pos, format!("Bad example for field '{field}': {msg}"))
        };
        match key {
            TypeKey::S(id) if self.api.struct_(id).subtypes.is_some() => {
                if ex.fields.len() != 1 {
                    return Err(Diagnostic::new(
                        ex.pos,
                        "Example for struct with enumerated subtypes must only specify one subtype tag.",
                    ));
                }
                let f = &ex.fields[0];
                if !matches!(f.value, ExValue::Ref { .. }) {
                    return Err(Diagnostic::new(
                        f.pos,
                        "Example of struct with enumerated subtypes must be a reference to a subtype's example.",
                    ));
                }
                let subs = self.api.struct_(id).subtypes.as_ref().expect("subtypes");
                if !subs.tags.iter().any(|(t, _)| *t == f.name) {
                    return Err(Diagnostic::new(
                        f.pos,
                        format!("Unknown subtype tag '{}' in example.", f.name),
                    ));
                }
                Ok(())
            }
            TypeKey::S(id) => {
                let s = self.api.struct_(id);
                let all = self.api.all_struct_fields(id);
                for f in &ex.fields {
                    if !all.iter().any(|x| x.name == f.name) {
                        return Err(Diagnostic::new(
                            f.pos,
                            format!("Example for '{}' has unknown field '{}'.", s.name, f.name),
                        ));
                    }
                }
                for field in &all {
                    match ex.fields.iter().find(|f| f.name == field.name) {
                        Some(f) => self
                            .check_example(&field.data_type, &f.value)
                            .map_err(|m| bad(&field.name, m, f.pos))?,
                        None if field.default.is_some() || field.data_type.is_nullable() => {}
                        None => {
                            return Err(Diagnostic::new(
                                ex.pos,
                                format!("Missing field '{}' in example.", field.name),
                            ))
                        }
                    }
                }
                Ok(())
            }
            TypeKey::U(id) => {
                if ex.fields.len() != 1 {
                    return Err(Diagnostic::new(
                        ex.pos,
                        "Example for union must specify exactly one tag.",
                    ));
                }
                let f = &ex.fields[0];
                let all = self.api.all_union_variants(id);
                let Some(variant) = all.iter().find(|v| v.name == f.name) else {
                    return Err(Diagnostic::new(
                        ex.pos,
                        format!("Unknown tag '{}' in example.", f.name),
                    ));
                };
                self.check_example(&variant.data_type, &f.value)
                    .map_err(|m| bad(&variant.name, m, f.pos))
            }
        }
    }

    fn compute_examples(&self, key: TypeKey, raw: &Raw<'_>, memo: &mut Memo) -> R<Vec<Example>> {
        if memo.dry {
            // What follows the values adds no error.
            for ex in raw.get(&key).into_iter().flatten() {
                self.example_value(key, &ex.label, raw, memo, &mut vec![])?;
            }
            return Ok(vec![]);
        }
        let mut out: Vec<Example> = vec![];
        for ex in raw.get(&key).into_iter().flatten() {
            let value = self.example_value(key, &ex.label, raw, memo, &mut vec![])?;
            let text = ex
                .doc
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(super::populate::doc_unwrap);
            out.push(Example {
                label: ex.label.clone(),
                text,
                value,
            });
        }
        if let TypeKey::U(id) = key {
            // Every void tag is an example of itself (replacing a raw
            // example of the same label, which keeps its place). Unions of
            // a thousand tags exist: find labels by index.
            let mut at: rustc_hash::FxHashMap<String, usize> = out
                .iter()
                .enumerate()
                .map(|(i, e)| (e.label.clone(), i))
                .collect();
            for v in self.api.all_union_variants(id) {
                let void = matches!(v.data_type, DataType::Void)
                    || matches!(&v.data_type, DataType::Nullable(i) if **i == DataType::Void);
                if !void {
                    continue;
                }
                let value = serde_json::json!({ ".tag": v.name });
                match at.get(&v.name) {
                    Some(&i) => {
                        out[i].text = None;
                        out[i].value = value;
                    }
                    None => {
                        at.insert(v.name.clone(), out.len());
                        out.push(Example {
                            label: v.name.clone(),
                            text: None,
                            value,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Whether `t` (behind one nullable and any aliases) has an example of
    /// this label, and which type it is.
    fn example_owner(&self, t: &DataType, label: &str, raw: &Raw<'_>) -> Option<TypeKey> {
        let t = match t {
            DataType::Nullable(i) => i.as_ref(),
            other => other,
        };
        let key = match self.api.unalias(t) {
            DataType::Struct(id) => TypeKey::S(*id),
            DataType::Union(id) => TypeKey::U(*id),
            _ => return None,
        };
        let has_raw = raw
            .get(&key)
            .is_some_and(|v| v.iter().any(|e| e.label == label));
        let has = has_raw
            || match key {
                TypeKey::U(id) => self.api.all_union_variants(id).iter().any(|v| {
                    v.name == label
                        && matches!(
                            match &v.data_type {
                                DataType::Nullable(i) => i.as_ref(),
                                o => o,
                            },
                            DataType::Void | DataType::Struct(_) | DataType::Union(_)
                        )
                }),
                TypeKey::S(_) => false,
            };
        has.then_some(key)
    }

    fn type_label(&self, t: &DataType) -> String {
        let t = match t {
            DataType::Nullable(i) => i.as_ref(),
            o => o,
        };
        self.type_display_name(t)
    }

    fn deref(
        &self,
        t: &DataType,
        label: &str,
        pos: Pos,
        raw: &Raw<'_>,
        memo: &mut Memo,
        stack: &mut Stack,
    ) -> R<Value> {
        let Some(owner) = self.example_owner(t, label, raw) else {
            return Err(Diagnostic::new(
                pos,
                format!(
                    "Reference to example for '{}' with label '{label}' does not exist.",
                    self.type_label(t)
                ),
            ));
        };
        if stack.len() > 200 {
            return Err(Diagnostic::new(
                pos,
                format!("Example references nest too deep at '{label}' (more than 200 levels)."),
            ));
        }
        if stack.iter().any(|(k, l)| *k == owner && l == label) {
            return Err(Diagnostic::new(
                pos,
                format!(
                    "Example '{label}' of '{}' refers to itself through its references.",
                    self.type_name(owner)
                ),
            ));
        }
        stack.push((owner, label.to_string()));
        let v = self.example_value(owner, label, raw, memo, stack);
        stack.pop();
        v
    }

    /// A value of an example field, references resolved.
    #[allow(clippy::too_many_arguments)]
    fn json_value(
        &self,
        t: &DataType,
        v: &ExValue,
        raw: &Raw<'_>,
        memo: &mut Memo,
        stack: &mut Stack,
    ) -> R<Value> {
        let inner = match t {
            DataType::Nullable(i) => i.as_ref(),
            o => o,
        };
        Ok(match v {
            ExValue::Ref { pos, label } => self.deref(t, label, *pos, raw, memo, stack)?,
            ExValue::Lit(_) if memo.dry => Value::Null,
            ExValue::Lit(l) => lit_json(l),
            ExValue::List(items) => {
                let elem = match self.api.unalias(inner) {
                    DataType::List { of, .. } => of.as_ref(),
                    other => other,
                };
                let mut out = vec![];
                for item in items {
                    let v = self.json_value(elem, item, raw, memo, stack)?;
                    if !memo.dry {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            ExValue::Map(pairs) => {
                let value_type = match self.api.unalias(inner) {
                    DataType::Map { value, .. } => value.as_ref(),
                    other => other,
                };
                let mut out = Map::new();
                for (k, val) in pairs {
                    let v = self.json_value(value_type, val, raw, memo, stack)?;
                    if memo.dry {
                        continue;
                    }
                    let key = match k {
                        ExValue::Lit(Literal::Str(s)) => s.clone(),
                        ExValue::Lit(l) => crate::parser::lit_repr(l),
                        other => crate::parser::ex_repr(other),
                    };
                    out.insert(key, v);
                }
                Value::Object(out)
            }
        })
    }

    fn example_value(
        &self,
        key: TypeKey,
        label: &str,
        raw: &Raw<'_>,
        memo: &mut Memo,
        stack: &mut Stack,
    ) -> R<Value> {
        if let Some(v) = memo.values.get(&key).and_then(|m| m.get(label)) {
            return Ok(v.clone());
        }
        let ex = raw
            .get(&key)
            .and_then(|v| v.iter().find(|e| e.label == label));
        let value = match (key, ex) {
            (TypeKey::S(id), Some(ex)) if self.api.struct_(id).subtypes.is_some() => {
                let f = &ex.fields[0];
                let subs = self.api.struct_(id).subtypes.as_ref().expect("subtypes");
                let sub = subs
                    .tags
                    .iter()
                    .find(|(t, _)| *t == f.name)
                    .map(|(_, s)| *s)
                    .expect("validated tag");
                let ExValue::Ref {
                    pos,
                    label: ref_label,
                } = &f.value
                else {
                    unreachable!("validated reference")
                };
                let sub_key = TypeKey::S(sub);
                if !raw
                    .get(&sub_key)
                    .is_some_and(|v| v.iter().any(|e| &e.label == ref_label))
                {
                    return Err(Diagnostic::new(
                        *pos,
                        format!(
                            "Reference to example for '{}' with label '{ref_label}' does not exist.",
                            self.api.struct_(sub).name
                        ),
                    ));
                }
                stack.push((sub_key, ref_label.clone()));
                let flat = self.example_value(sub_key, ref_label, raw, memo, stack);
                stack.pop();
                let flat = flat?;
                if memo.dry {
                    Value::Null
                } else {
                    let mut obj = Map::new();
                    obj.insert(".tag".into(), Value::String(f.name.clone()));
                    if let Value::Object(fields) = flat {
                        obj.extend(fields);
                    }
                    Value::Object(obj)
                }
            }
            (TypeKey::S(id), Some(ex)) => {
                let mut obj = Map::new();
                for field in self.api.all_struct_fields(id) {
                    if let Some(f) = ex.fields.iter().find(|f| f.name == field.name) {
                        if matches!(f.value, ExValue::Lit(Literal::Null)) {
                            continue; // null fields are not sent
                        }
                        let v = self.json_value(&field.data_type, &f.value, raw, memo, stack)?;
                        if !memo.dry {
                            obj.insert(field.name.clone(), v);
                        }
                    } else if let Some(d) = &field.default {
                        let v = self.default_json(&field.data_type, d, raw, memo, stack)?;
                        if !memo.dry {
                            obj.insert(field.name.clone(), v);
                        }
                    }
                }
                if memo.dry {
                    Value::Null
                } else {
                    Value::Object(obj)
                }
            }
            (TypeKey::U(id), Some(ex)) => {
                let f = &ex.fields[0];
                let variants = self.api.all_union_variants(id);
                let variant = variants
                    .iter()
                    .find(|v| v.name == f.name)
                    .expect("validated tag");
                let dt = match &variant.data_type {
                    DataType::Nullable(i) => i.as_ref(),
                    o => o,
                };
                let inner = self.json_value(dt, &f.value, raw, memo, stack)?;
                if memo.dry {
                    return Ok(memo.keep(key, label, Value::Null));
                }
                let mut obj = Map::new();
                obj.insert(".tag".into(), Value::String(f.name.clone()));
                let flat_struct =
                    matches!(dt, DataType::Struct(s) if self.api.struct_(*s).subtypes.is_none());
                match inner {
                    Value::Object(fields) if flat_struct => obj.extend(fields),
                    Value::Null => {}
                    v => {
                        obj.insert(f.name.clone(), v);
                    }
                }
                Value::Object(obj)
            }
            (TypeKey::U(id), None) => {
                // A void tag serves as an example of itself.
                let variants = self.api.all_union_variants(id);
                match variants
                    .iter()
                    .find(|v| v.name == label && v.data_type == DataType::Void)
                {
                    Some(_) if memo.dry => Value::Null,
                    Some(v) => serde_json::json!({ ".tag": v.name }),
                    None => {
                        return Err(Diagnostic::new(
                            self.api.union(id).pos,
                            format!(
                            "Reference to example for '{}' with label '{label}' does not exist.",
                            self.api.union(id).name
                        ),
                        ))
                    }
                }
            }
            (TypeKey::S(id), None) => {
                return Err(Diagnostic::new(
                    self.api.struct_(id).pos,
                    format!(
                        "Reference to example for '{}' with label '{label}' does not exist.",
                        self.api.struct_(id).name
                    ),
                ))
            }
        };
        Ok(memo.keep(key, label, value))
    }

    fn default_json(
        &self,
        t: &DataType,
        d: &Constant,
        raw: &Raw<'_>,
        memo: &mut Memo,
        stack: &mut Stack,
    ) -> R<Value> {
        match d {
            Constant::Tag(tag) => match self.api.unalias(t) {
                DataType::Union(id) => self.example_value(TypeKey::U(*id), tag, raw, memo, stack),
                _ => Ok(serde_json::json!({ ".tag": tag })),
            },
            _ if memo.dry => Ok(Value::Null),
            other => Ok(match other {
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => crate::ir::value::int_json(*i),
                Constant::Float(f) => {
                    serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
                }
                Constant::Str(s) => Value::String(s.clone()),
                _ => Value::Null,
            }),
        }
    }
}
