//! Prints how the parser understands each argument: the JSON result and the evidence.
//! `cargo run -p kubegenie-nlu --example explain -- "scale api to 5 in staging"`

fn main() {
    let parser = kubegenie_nlu::Parser::new(kubegenie_nlu::eval::demo_context());
    for text in std::env::args().skip(1) {
        match parser.explain(&text) {
            Ok((p, c)) => {
                println!("{text:?}\n  {}", serde_json::to_string(&p).unwrap_or_default());
                for e in c.evidence {
                    println!("    {e}");
                }
            }
            Err(e) => println!("{text:?}: error: {e}"),
        }
    }
}
