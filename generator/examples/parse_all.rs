fn main() {
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "stone"))
            .collect();
        paths.sort();
        for (i, p) in paths.iter().enumerate() {
            let text = std::fs::read_to_string(p).unwrap();
            let t = std::time::Instant::now();
            match stone::parser::parse_file(i as u32, &text) {
                Ok(f) => println!("{}: {} decls {:?}", p.display(), f.decls.len(), t.elapsed()),
                Err(e) => println!("{}: ERR {:?}", p.display(), e),
            }
        }
    }
}
