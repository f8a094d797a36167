//! Lists the slowest utterances of the corpus to parse (for profiling).
//! `cargo run --release -p kubegenie-nlu --example slowest`

use kubegenie_nlu::Parser;
use kubegenie_nlu::eval::{demo_context, load};
use std::time::Instant;

fn main() {
    let parser = Parser::new(demo_context());
    let mut times: Vec<(f64, String)> = [
        include_str!("../data/train.jsonl"),
        include_str!("../data/test.jsonl"),
    ]
    .into_iter()
    .flat_map(|c| load(c).unwrap_or_default())
    .map(|c| {
        let t = Instant::now();
        for _ in 0..10 {
            std::hint::black_box(parser.parse(&c.text).ok());
        }
        (t.elapsed().as_secs_f64() * 100.0, c.text)
    })
    .collect();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, text) in times.iter().take(8) {
        println!("{ms:.3} ms  {text}");
    }
}
