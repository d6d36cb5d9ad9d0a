//! The IR summary: a language-neutral JSON view of the IR, defined in
//! `shared/reference/README.md`, equal to what Stone's own front end gives.
//! It is written straight to text in `json.dumps(sort_keys=True, indent=1)`
//! form: each object's keys below are emitted in sorted order.

use crate::ir::value::int_json;
use crate::ir::*;
use crate::pyjson::Writer;
use serde_json::json;

fn int(w: &mut Writer, key: &str, v: &Option<i128>) {
    if let Some(v) = v {
        w.key(key).value(&int_json(*v));
    }
}

fn float(w: &mut Writer, key: &str, v: &Option<f64>) {
    if let Some(v) = v {
        w.key(key).raw(&crate::pyfmt::repr_float(*v));
    }
}

fn doc(w: &mut Writer, doc: &Option<String>) {
    if let Some(d) = doc {
        w.key("doc").str(d);
    }
}

fn constant(w: &mut Writer, c: &Constant) {
    match c {
        Constant::Float(f) => w.raw(&crate::pyfmt::repr_float(*f)),
        other => w.value(&other.to_summary_json()),
    }
}

/// `api.qualified_name(t)` as a JSON string, written without making it.
fn qualified(w: &mut Writer, api: &Api, t: &DataType) {
    let (ns, name) = match t {
        DataType::Struct(id) => (&api.struct_(*id).namespace, &api.struct_(*id).name),
        DataType::Union(id) => (&api.union(*id).namespace, &api.union(*id).name),
        DataType::Alias(id) => (&api.alias(*id).namespace, &api.alias(*id).name),
        _ => return w.str(""),
    };
    w.str_parts(&[ns, ".", name]);
}

fn data_type(w: &mut Writer, api: &Api, t: &DataType) {
    w.begin_object();
    match t {
        DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_) => {
            w.key("kind").str("ref");
            w.key("name");
            qualified(w, api, t);
        }
        DataType::Nullable(inner) => {
            w.key("kind").str("Nullable");
            w.key("of");
            data_type(w, api, inner);
        }
        DataType::Map { key, value } => {
            w.key("key");
            data_type(w, api, key);
            w.key("kind").str("Map");
            w.key("value");
            data_type(w, api, value);
        }
        DataType::List {
            of,
            min_items,
            max_items,
        } => {
            w.key("kind").str("List");
            int(w, "max_items", max_items);
            int(w, "min_items", min_items);
            w.key("of");
            data_type(w, api, of);
        }
        DataType::String {
            min_length,
            max_length,
            pattern,
        } => {
            w.key("kind").str("String");
            int(w, "max_length", max_length);
            int(w, "min_length", min_length);
            if let Some(p) = pattern {
                w.key("pattern").str(p);
            }
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
            w.key("kind").str(t.kind_name());
            int(w, "max_value", max_value);
            int(w, "min_value", min_value);
        }
        DataType::Float32 {
            min_value,
            max_value,
        }
        | DataType::Float64 {
            min_value,
            max_value,
        } => {
            w.key("kind").str(t.kind_name());
            float(w, "max_value", max_value);
            float(w, "min_value", min_value);
        }
        DataType::Timestamp { format } => {
            w.key("format").str(format);
            w.key("kind").str("Timestamp");
        }
        DataType::Boolean | DataType::Bytes | DataType::Void => {
            w.key("kind").str(t.kind_name());
        }
    }
    w.end_object();
}

/// What struct fields and union variants share, in key order around `name`.
struct FieldView<'a> {
    name: &'a str,
    data_type: &'a DataType,
    doc: &'a Option<String>,
    default: Option<&'a Constant>,
    catch_all: bool,
    deprecated: bool,
    preview: bool,
    omitted_caller: &'a Option<Constant>,
    redactor: &'a Option<Redactor>,
}

fn field(w: &mut Writer, api: &Api, f: FieldView) {
    w.begin_object();
    if f.catch_all {
        w.key("catch_all").bool(true);
    }
    if let Some(d) = f.default {
        w.key("default");
        constant(w, d);
    }
    if f.deprecated {
        w.key("deprecated").bool(true);
    }
    doc(w, f.doc);
    w.key("name").str(f.name);
    // Stone writes the caller where it is truthy.
    let truthy = |c: &&Constant| {
        !matches!(c, Constant::Null | Constant::Bool(false) | Constant::Int(0))
            && !matches!(c, Constant::Str(s) if s.is_empty())
    };
    if let Some(c) = f.omitted_caller.as_ref().filter(truthy) {
        w.key("omitted_caller");
        constant(w, c);
    }
    if f.preview {
        w.key("preview").bool(true);
    }
    if let Some(r) = f.redactor {
        let kind = match r.kind {
            RedactorKind::Blot => "RedactedBlot",
            RedactorKind::Hash => "RedactedHash",
        };
        w.key("redactor").str(kind);
        if let Some(re) = r.regex.as_deref().filter(|x| !x.is_empty()) {
            w.key("redactor_regex").str(re);
        }
    }
    w.key("type");
    data_type(w, api, f.data_type);
    w.end_object();
}

fn struct_(w: &mut Writer, api: &Api, s: &Struct) {
    let Struct {
        name: _,
        namespace: _,
        pos: _,
        doc: d,
        parent,
        fields,
        subtypes,
        children: _,
        examples: _,
    } = s;
    w.begin_object();
    if let Some(subs) = subtypes {
        w.key("catch_all").bool(subs.catch_all);
    }
    doc(w, d);
    w.key("fields").begin_array();
    for f in fields {
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
        let view = FieldView {
            name,
            data_type,
            doc,
            default: default.as_ref(),
            catch_all: false,
            deprecated: *deprecated,
            preview: *preview,
            omitted_caller,
            redactor,
        };
        field(w, api, view);
    }
    w.end_array();
    match parent {
        Some(p) => qualified(w.key("parent"), api, &DataType::Struct(*p)),
        None => w.key("parent").raw("null"),
    }
    if let Some(subs) = subtypes {
        w.key("subtypes").begin_array();
        for (tag, id) in &subs.tags {
            w.begin_object();
            w.key("tag").str(tag);
            qualified(w.key("type"), api, &DataType::Struct(*id));
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

fn union(w: &mut Writer, api: &Api, u: &Union) {
    let Union {
        name: _,
        namespace: _,
        pos: _,
        doc: d,
        closed,
        parent,
        variants,
        examples: _,
    } = u;
    w.begin_object();
    w.key("closed").bool(*closed);
    doc(w, d);
    match parent {
        Some(p) => qualified(w.key("parent"), api, &DataType::Union(*p)),
        None => w.key("parent").raw("null"),
    }
    w.key("variants").begin_array();
    for v in variants {
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
        let view = FieldView {
            name,
            data_type,
            doc,
            default: None,
            catch_all: *catch_all,
            deprecated: *deprecated,
            preview: *preview,
            omitted_caller,
            redactor,
        };
        field(w, api, view);
    }
    w.end_array();
    w.end_object();
}

fn route(w: &mut Writer, api: &Api, r: &Route) {
    let Route {
        name: _,
        version: _,
        namespace: _,
        pos: _,
        doc: d,
        deprecated,
        arg,
        result,
        error,
        attrs,
    } = r;
    w.begin_object();
    w.key("arg");
    data_type(w, api, arg);
    w.key("attrs").begin_object();
    for (k, v) in attrs {
        w.key(k);
        constant(w, v);
    }
    w.end_object();
    if let Some(by) = deprecated {
        w.key("deprecated").begin_object();
        match by {
            Some((n, v)) => w.key("by").str(&format!("{n}:{v}")),
            None => w.key("by").raw("null"),
        }
        w.end_object();
    }
    doc(w, d);
    w.key("error");
    data_type(w, api, error);
    w.key("result");
    data_type(w, api, result);
    w.end_object();
}

/// The IR summary of a whole API, as text. The namespaces are written in
/// two runs on two threads (the text is a few MB), joined in order.
pub fn summary(api: &Api) -> String {
    summary_runs(api, true)
}

/// `summary` on the caller's thread alone, for a caller whose other cores
/// are busy with other work meanwhile (`xtask summary`: the checks that
/// run beside it): one more thread would only be time-sliced with them.
pub fn summary_alone(api: &Api) -> String {
    summary_runs(api, false)
}

fn summary_runs(api: &Api, two: bool) -> String {
    let all: Vec<(&String, &Namespace)> = api.namespaces.iter().collect();
    let weight = |ns: &Namespace| {
        let fields: usize = ns
            .structs
            .iter()
            .map(|id| api.struct_(*id).fields.len())
            .sum();
        let variants: usize = ns
            .unions
            .iter()
            .map(|id| api.union(*id).variants.len())
            .sum();
        1 + fields + variants + 3 * ns.routes.len() + ns.aliases.len()
    };
    let weights: Vec<usize> = all.iter().map(|(_, ns)| weight(ns)).collect();
    let total: usize = weights.iter().sum();
    // Split where the two runs' weights differ least.
    let mut before: usize = 0;
    let split = (0..=all.len())
        .min_by_key(|&i| {
            let d = (2 * before).abs_diff(total);
            before += weights.get(i).copied().unwrap_or(0);
            d
        })
        .unwrap_or(0);
    let (head, tail) = all.split_at(if two { split } else { all.len() });
    let run = |w: &mut Writer, part: &[(&String, &Namespace)]| {
        for (name, ns) in part {
            namespace(w, api, name, ns);
        }
    };
    // The first half is written here, into the output; the second on a
    // thread of its own, inside the top-level object and its "namespaces"
    // object, and appended after.
    let tail_run = || {
        // Room for a half of the text, if there is one to write here.
        let room = if tail.is_empty() { 0 } else { 1 << 20 };
        let mut w = Writer::within(&[true, !head.is_empty()], room);
        run(&mut w, tail);
        w
    };
    let mut w = Writer::new();
    // The second run comes back through a slot, not `join` (see `threads`).
    let second = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        if tail.is_empty() {
            // Nothing to write there: no thread.
            *second.lock().unwrap_or_else(|e| e.into_inner()) = Some(tail_run());
        } else {
            crate::threads::spawn_into(s, std::thread::Builder::new(), &second, tail_run);
        }
        w.begin_object();
        w.key("namespaces").begin_object();
        run(&mut w, head);
    });
    // A thread that panicked has made the scope panic: the run is here.
    w.splice(crate::threads::take(second).expect("ran to its end"));
    w.end_object();
    w.end_object();
    let mut out = w.finish();
    out.push('\n');
    out
}

fn namespace(w: &mut Writer, api: &Api, name: &str, ns: &Namespace) {
    let Namespace {
        name: _,
        doc: d,
        structs,
        unions,
        aliases,
        routes,
        imports: _,
    } = ns;
    w.key(name).begin_object();
    w.key("aliases").begin_object();
    for id in aliases {
        let a = api.alias(*id);
        w.key(&a.name).begin_object();
        doc(w, &a.doc);
        w.key("type");
        data_type(w, api, &a.data_type);
        w.end_object();
    }
    w.end_object();
    doc(w, d);
    // Sorted as Python sorts the keys: as whole strings.
    let mut keyed: Vec<(String, RouteId)> = routes
        .iter()
        .map(|id| {
            let r = api.route(*id);
            (format!("{}:{}", r.name, r.version), *id)
        })
        .collect();
    keyed.sort();
    w.key("routes").begin_object();
    for (key, id) in &keyed {
        w.key(key);
        route(w, api, api.route(*id));
    }
    w.end_object();
    w.key("structs").begin_object();
    for id in structs {
        w.key(&api.struct_(*id).name);
        struct_(w, api, api.struct_(*id));
    }
    w.end_object();
    w.key("unions").begin_object();
    for id in unions {
        w.key(&api.union(*id).name);
        union(w, api, api.union(*id));
    }
    w.end_object();
    w.end_object();
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
