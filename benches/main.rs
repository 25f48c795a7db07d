//! `cargo xtask bench [NAME]`: Watchfloor measured where its users feel it,
//! each figure beside a reference run in the same invocation so the figures
//! stay comparable on noisy shared machines. Not a test: nothing here fails on
//! a slow machine.
//!
//! Benchmarks: `first_load`, `pages` (Lighthouse and axe on every page), `event_to_screen`, `big_exercise`, `ingest`,
//! `read_throughput`, `fanout`, `review`. The table goes to stdout and `bench/results.md`.

#[path = "../tests/e2e/harness.rs"]
mod harness;

mod bare;
mod browser;
mod pages;
mod server;
mod size;
mod stats;

use std::fmt::Write as _;
use std::time::Instant;

use stats::Section;

const ALL: &[&str] = &[
    "first_load",
    "pages",
    "event_to_screen",
    "big_exercise",
    "playback",
    "ingest",
    "read_throughput",
    "fanout",
    "review",
];

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let selected: Vec<&str> = if wanted.is_empty() {
        ALL.to_vec()
    } else {
        for name in &wanted {
            if !ALL.contains(&name.as_str()) {
                eprintln!("unknown benchmark `{name}`; choose from {}", ALL.join(", "));
                std::process::exit(2);
            }
        }
        ALL.iter()
            .copied()
            .filter(|name| wanted.iter().any(|w| w == name))
            .collect()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut sections = Vec::new();
    for name in selected {
        println!("\n==> bench {name}");
        let started = Instant::now();
        let section = runtime.block_on(async {
            match name {
                "first_load" => browser::first_load().await,
                "pages" => pages::pages().await,
                "event_to_screen" => browser::event_to_screen().await,
                "big_exercise" => browser::big_exercise().await,
                "playback" => browser::playback().await,
                "ingest" => server::ingest().await,
                "read_throughput" => server::read_throughput().await,
                "fanout" => server::fanout().await,
                "review" => server::review().await,
                _ => unreachable!("checked above"),
            }
        });
        println!("{}", section.markdown());
        println!("({name} took {:.0?})", started.elapsed());
        sections.push(section);
    }
    write_results(&sections);
}

/// Writes the table, with the machine, the date and the commit, to bench/results.md.
fn write_results(sections: &[Section]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::from("# Watchfloor benchmarks\n\n");
    let commit = command_line("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !command_line("git", &["status", "--porcelain"]).is_empty();
    let _ = writeln!(
        text,
        "- date: {}\n- commit: {}{}\n- machine: {}, {} cores, {}\n- command: `cargo xtask bench`\n\n\
         Each figure is a median over repeated runs with its spread (p25–p75 unless said),\n\
         and beside it a reference run measured the same way in the same invocation.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%MZ"),
        commit,
        if dirty { " (with uncommitted changes)" } else { "" },
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|line| line.starts_with("model name"))
                    .map(|line| line.split(':').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into()),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        memory_total(),
    );
    // A run of some benchmarks keeps the others' latest tables.
    let path = root.join("bench/results.md");
    let mut tables: Vec<(String, String)> = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .split("\n## ")
        .skip(1)
        .map(|table| {
            let title = table.lines().next().unwrap_or_default().to_string();
            (title, format!("## {}\n", table.trim_end()))
        })
        .collect();
    for section in sections {
        tables.retain(|(title, _)| *title != section.title);
        tables.push((section.title.clone(), section.markdown()));
    }
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, table) in tables {
        text.push_str(&table);
        text.push('\n');
    }
    std::fs::create_dir_all(root.join("bench")).expect("bench dir");
    std::fs::write(&path, text).expect("write bench/results.md");
    println!("\nwrote {}", path.display());
}

fn command_line(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default()
}

fn memory_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("MemTotal"))
                .map(|line| {
                    let kib: f64 = line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0.0);
                    format!("{:.0} GiB RAM", kib / 1024.0 / 1024.0)
                })
        })
        .unwrap_or_else(|| "unknown RAM".into())
}
