//! Times each stage of the front end over a spec set (best of 7 runs):
//! `cargo run --release --example parse_all -- SPEC_DIR`.
use std::time::{Duration, Instant};

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..7 {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("ran"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (t_load, files) = best(|| stone::load_spec_set(&args).expect("read specs"));
    let (t_lex_parse, _) = best(|| {
        for (i, f) in files.iter().enumerate() {
            let _ = stone::parser::parse_file(i as u32, &f.text);
        }
    });
    let (t_compile, api) = best(|| stone::compile(&files).expect("valid spec"));
    let t_ir = (0..7)
        .map(|_| {
            let asts = files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    (
                        i as u32,
                        stone::parser::parse_file(i as u32, &f.text).expect("parses"),
                    )
                })
                .collect();
            let t = Instant::now();
            let _ = stone::ir::build_api(&files, asts);
            t.elapsed()
        })
        .min()
        .expect("ran");
    let (t_text, text) = best(|| stone::summary::summary(&api));
    eprintln!(
        "load {t_load:?}  parse {t_lex_parse:?}  ir {:?}  compile (parallel parse + ir) {t_compile:?}  summary {t_text:?}  ({} bytes)",
        t_ir,
        text.len()
    );
}
