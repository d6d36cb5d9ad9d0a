fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files = stone::load_spec_set(&args).expect("read specs");
    let asts: Vec<_> = files.iter().enumerate().map(|(i, f)| (i as u32, stone::parser::parse_file(i as u32, &f.text).expect("parses"))).collect();
    for _ in 0..40 {
        let a = asts.clone();
        let api = stone::ir::build_api(&files, a).expect("ok");
        std::hint::black_box(api);
    }
}
