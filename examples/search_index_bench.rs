//! Times building the search index of a site without writing anything:
//! `cargo run --release --example search_index_bench -- /tmp/corpus10k [RUNS]`
//! (see BENCHMARKS.md, "Search").

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let t = std::time::Instant::now();
    let (site, diags) = studysite::load::load_site(std::path::Path::new(&root));
    let Some(site) = site else {
        eprintln!("the site has problems: {diags:?}");
        std::process::exit(1);
    };
    eprintln!("loaded {} units in {:.2?}", site.units.len(), t.elapsed());
    // `0` measures the peak memory of loading alone (compare `/usr/bin/time -v` of both).
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for _ in 0..runs {
        let bytes = std::sync::atomic::AtomicUsize::new(0);
        let cpu = cpu_seconds();
        let written = studysite::search::write_files(&site, &|_, b| {
            bytes.fetch_add(b.len(), std::sync::atomic::Ordering::Relaxed);
        });
        let stats = match written {
            Ok(stats) => stats,
            Err(e) => {
                eprintln!("the search index could not be made: {e:#}");
                std::process::exit(1);
            }
        };
        let bytes = bytes.into_inner();
        eprintln!(
            "index {:.2?}, total {:.2?} (CPU {:.2} s): {} shards, {} chunks, {} bytes",
            stats.index_time,
            stats.total_time,
            cpu_seconds() - cpu,
            stats.shards,
            stats.chunks,
            bytes
        );
    }
}

/// User + system CPU time of this process so far (Linux), to read through other load.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the `)`.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}
