fn main() {
    for arg in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        match generator::load::load(std::path::Path::new(&arg)) {
            Ok(loaded) => {
                let d = generator::load::validate::validate(&loaded.spec);
                println!("== {arg}: {} docs, {} load diags, {} validate diags in {:?}", loaded.spec.documents().count(), loaded.diagnostics.0.len(), d.0.len(), t.elapsed());
                for x in loaded.diagnostics.0.iter().chain(d.0.iter()).take(6) { println!("{x}"); }
            }
            Err(e) => println!("== {arg}: FATAL {e}"),
        }
    }
}
