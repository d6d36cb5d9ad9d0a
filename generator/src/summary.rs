//! The IR summary: a language-neutral JSON view of the IR, defined in
//! `shared/reference/README.md`, equal to what Stone's own front end gives.

use crate::ir::*;
use serde_json::{json, Map, Value};

fn type_json(api: &Api, t: &DataType) -> Value {
    let mut out = Map::new();
    let int = |v: &Option<i128>| v.map(crate::ir::value::int_json);
    let float = |v: &Option<f64>| v.and_then(serde_json::Number::from_f64).map(Value::Number);
    match t {
        DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_) => {
            return json!({"kind": "ref", "name": api.qualified_name(t)});
        }
        DataType::Nullable(inner) => {
            return json!({"kind": "Nullable", "of": type_json(api, inner)})
        }
        DataType::Map { key, value } => {
            return json!({"kind": "Map", "key": type_json(api, key), "value": type_json(api, value)});
        }
        DataType::List {
            of,
            min_items,
            max_items,
        } => {
            out.insert("of".into(), type_json(api, of));
            opt(&mut out, "min_items", int(min_items));
            opt(&mut out, "max_items", int(max_items));
        }
        DataType::String {
            min_length,
            max_length,
            pattern,
        } => {
            opt(&mut out, "min_length", int(min_length));
            opt(&mut out, "max_length", int(max_length));
            opt(&mut out, "pattern", pattern.clone().map(Value::String));
        }
        DataType::Int32 {
            min_value,
            max_value,
        }
        | DataType::Int64 {
            min_value,
            max_value,
        }
        | DataType::UInt32 {
            min_value,
            max_value,
        }
        | DataType::UInt64 {
            min_value,
            max_value,
        } => {
            opt(&mut out, "min_value", int(min_value));
            opt(&mut out, "max_value", int(max_value));
        }
        DataType::Float32 {
            min_value,
            max_value,
        }
        | DataType::Float64 {
            min_value,
            max_value,
        } => {
            opt(&mut out, "min_value", float(min_value));
            opt(&mut out, "max_value", float(max_value));
        }
        DataType::Timestamp { format } => {
            out.insert("format".into(), Value::String(format.clone()));
        }
        DataType::Boolean | DataType::Bytes | DataType::Void => {}
    }
    out.insert("kind".into(), Value::String(t.kind_name().into()));
    Value::Object(out)
}

fn opt(out: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        out.insert(key.into(), v);
    }
}

#[allow(clippy::too_many_arguments)]
fn field_json(
    api: &Api,
    name: &str,
    data_type: &DataType,
    doc: &Option<String>,
    deprecated: bool,
    preview: bool,
    omitted_caller: &Option<Constant>,
    redactor: &Option<Redactor>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("name".into(), Value::String(name.into()));
    out.insert("type".into(), type_json(api, data_type));
    opt(&mut out, "doc", doc.clone().map(Value::String));
    if deprecated {
        out.insert("deprecated".into(), Value::Bool(true));
    }
    if preview {
        out.insert("preview".into(), Value::Bool(true));
    }
    // Stone writes the caller where it is truthy.
    let truthy = |c: &&Constant| {
        !matches!(c, Constant::Null | Constant::Bool(false) | Constant::Int(0))
            && !matches!(c, Constant::Str(s) if s.is_empty())
    };
    let caller = omitted_caller.as_ref().filter(truthy);
    opt(
        &mut out,
        "omitted_caller",
        caller.map(Constant::to_summary_json),
    );
    if let Some(r) = redactor {
        let kind = match r.kind {
            RedactorKind::Blot => "RedactedBlot",
            RedactorKind::Hash => "RedactedHash",
        };
        out.insert("redactor".into(), Value::String(kind.into()));
        opt(
            &mut out,
            "redactor_regex",
            r.regex.clone().filter(|x| !x.is_empty()).map(Value::String),
        );
    }
    out
}

fn struct_json(api: &Api, s: &Struct) -> Value {
    let Struct {
        name: _,
        namespace: _,
        pos: _,
        doc,
        parent,
        fields,
        subtypes,
        children: _,
        examples: _,
    } = s;
    let mut out = Map::new();
    out.insert(
        "parent".into(),
        parent.map_or(Value::Null, |p| {
            api.qualified_name(&DataType::Struct(p)).into()
        }),
    );
    let fields = fields
        .iter()
        .map(|f| {
            let StructField {
                name,
                pos: _,
                data_type,
                doc,
                default,
                deprecated,
                preview,
                omitted_caller,
                redactor,
                custom_annotations: _,
            } = f;
            let mut o = field_json(
                api,
                name,
                data_type,
                doc,
                *deprecated,
                *preview,
                omitted_caller,
                redactor,
            );
            opt(
                &mut o,
                "default",
                default.as_ref().map(Constant::to_summary_json),
            );
            Value::Object(o)
        })
        .collect();
    out.insert("fields".into(), Value::Array(fields));
    opt(&mut out, "doc", doc.clone().map(Value::String));
    if let Some(subs) = subtypes {
        let list = subs
            .tags
            .iter()
            .map(
                |(tag, id)| json!({"tag": tag, "type": api.qualified_name(&DataType::Struct(*id))}),
            )
            .collect();
        out.insert("subtypes".into(), Value::Array(list));
        out.insert("catch_all".into(), Value::Bool(subs.catch_all));
    }
    Value::Object(out)
}

fn union_json(api: &Api, u: &Union) -> Value {
    let Union {
        name: _,
        namespace: _,
        pos: _,
        doc,
        closed,
        parent,
        variants,
        examples: _,
    } = u;
    let mut out = Map::new();
    out.insert(
        "parent".into(),
        parent.map_or(Value::Null, |p| {
            api.qualified_name(&DataType::Union(p)).into()
        }),
    );
    out.insert("closed".into(), Value::Bool(*closed));
    let variants = variants
        .iter()
        .map(|v| {
            let UnionVariant {
                name,
                pos: _,
                data_type,
                doc,
                catch_all,
                deprecated,
                preview,
                omitted_caller,
                redactor,
                custom_annotations: _,
            } = v;
            let mut o = field_json(
                api,
                name,
                data_type,
                doc,
                *deprecated,
                *preview,
                omitted_caller,
                redactor,
            );
            if *catch_all {
                o.insert("catch_all".into(), Value::Bool(true));
            }
            Value::Object(o)
        })
        .collect();
    out.insert("variants".into(), Value::Array(variants));
    opt(&mut out, "doc", doc.clone().map(Value::String));
    Value::Object(out)
}

fn route_json(api: &Api, r: &Route) -> Value {
    let Route {
        name: _,
        version: _,
        namespace: _,
        pos: _,
        doc,
        deprecated,
        arg,
        result,
        error,
        attrs,
    } = r;
    let mut out = Map::new();
    out.insert("arg".into(), type_json(api, arg));
    out.insert("result".into(), type_json(api, result));
    out.insert("error".into(), type_json(api, error));
    out.insert(
        "attrs".into(),
        attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.to_summary_json()))
            .collect(),
    );
    opt(&mut out, "doc", doc.clone().map(Value::String));
    if let Some(by) = deprecated {
        let by = by
            .as_ref()
            .map_or(Value::Null, |(n, v)| Value::String(format!("{n}:{v}")));
        out.insert("deprecated".into(), json!({ "by": by }));
    }
    Value::Object(out)
}

/// The IR summary of a whole API.
pub fn summary(api: &Api) -> Value {
    let mut namespaces = Map::new();
    for (name, ns) in &api.namespaces {
        let Namespace {
            name: _,
            doc,
            structs,
            unions,
            aliases,
            routes,
            imports: _,
        } = ns;
        let mut out = Map::new();
        let aliases_json: Map<String, Value> = aliases
            .iter()
            .map(|id| {
                let a = api.alias(*id);
                let mut o = Map::new();
                o.insert("type".into(), type_json(api, &a.data_type));
                opt(&mut o, "doc", a.doc.clone().map(Value::String));
                (a.name.clone(), Value::Object(o))
            })
            .collect();
        out.insert("aliases".into(), Value::Object(aliases_json));
        let structs_json = structs.iter().map(|id| {
            (
                api.struct_(*id).name.clone(),
                struct_json(api, api.struct_(*id)),
            )
        });
        out.insert("structs".into(), Value::Object(structs_json.collect()));
        let unions_json = unions
            .iter()
            .map(|id| (api.union(*id).name.clone(), union_json(api, api.union(*id))));
        out.insert("unions".into(), Value::Object(unions_json.collect()));
        let routes_json = routes.iter().map(|id| {
            let r = api.route(*id);
            (format!("{}:{}", r.name, r.version), route_json(api, r))
        });
        out.insert("routes".into(), Value::Object(routes_json.collect()));
        opt(&mut out, "doc", doc.clone().map(Value::String));
        namespaces.insert(name.clone(), Value::Object(out));
    }
    json!({ "namespaces": namespaces })
}

/// Every example of every data type, one JSON object a line, in the form of
/// Stone's `stone_examples.py`.
pub fn examples_jsonl(api: &Api) -> String {
    let mut out = String::new();
    for (ns_name, ns) in &api.namespaces {
        let mut types: Vec<(&str, &[Example])> = ns
            .structs
            .iter()
            .map(|id| {
                (
                    api.struct_(*id).name.as_str(),
                    api.struct_(*id).examples.as_slice(),
                )
            })
            .chain(ns.unions.iter().map(|id| {
                (
                    api.union(*id).name.as_str(),
                    api.union(*id).examples.as_slice(),
                )
            }))
            .collect();
        types.sort_by_key(|(name, _)| *name);
        for (type_name, examples) in types {
            for ex in examples {
                let line = json!({"namespace": ns_name, "type": type_name, "label": ex.label, "value": ex.value});
                out.push_str(&crate::pyjson::to_line(&line));
                out.push('\n');
            }
        }
    }
    out
}
