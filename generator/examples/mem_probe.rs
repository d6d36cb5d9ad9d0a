//! Peak memory of each stage: `mem_probe STAGE SPEC_DIR` (lex, parse, ir).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files = stone::load_spec_set(&args[1..]).expect("read");
    match args[0].as_str() {
        "parse" => {
            let v: Vec<_> = files.iter().enumerate().map(|(i, f)| stone::parser::parse_file(i as u32, &f.text)).collect();
            std::mem::forget(v);
        }
        _ => {
            let api = stone::compile(&files).expect("ok");
            std::mem::forget(api);
        }
    }
}
