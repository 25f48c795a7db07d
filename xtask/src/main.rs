//! Every build step of Watchfloor behind one command: `cargo xtask run | test | dist | demo-scenario`.
//!
//! The xtask installs what a fresh machine lacks into places that outlive one
//! clone (`~/.cargo/bin` for Trunk and wasm-bindgen, `~/.cache/watchfloor` for
//! the npm `wasm-opt` and `axe-core`), so a CI run on a fresh clone reuses them. Nothing here
//! downloads from outside the package registries: Trunk runs offline with the
//! tools put first on its `PATH`.

mod cluster;
mod demo;
mod postgres;
mod size;

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use watchfloor_model::pages::Page;

/// Versions that work on these machines (see README, "Toolchain").
const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen (108) breaks wasm-bindgen 0.2.130 modules; npm's 132 works.
const BINARYEN_VERSION: &str = "132.0.0";
/// axe-core, the accessibility rules the end-to-end tests run in Chromium.
const AXE_VERSION: &str = "4.10.3";
/// Lighthouse for the benchmark's page scores (13.x needs a newer Node than
/// Debian's 20).
const LIGHTHOUSE_VERSION: &str = "12.8.2";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <command>

  run [-- SERVER ARGS]   build the app and serve it with the demo exercise on
                         http://127.0.0.1:8080 (arguments after -- go to
                         `watchfloor-server serve`, e.g. --addr, --data-dir)
  test                   every test layer: native, browser components, end to end, lints
  bench [NAME]           benchmarks beside reference runs; writes bench/results.md
                         (first_load, pages, event_to_screen, big_exercise,
                         playback, ingest, read_throughput, fanout, review)
  dist                   build the app (release) into dist/ and report its size
  size [--built]         build the app (or take what is built), then where each
                         entry's wasm bytes go (by crate and by app feature;
                         writes target/size-profile/)
  size --wasm FILE       the same profile of any wasm with its names, as TSV
                         (how bench/size-baseline.tsv was made)
  demo-scenario          regenerate scenarios/cyber-coalition.json
  cluster                a private PostgreSQL, three servers sharing it (with the
                         demo) and nginx in front; prints the URL, Enter stops it
  postgres               start a private PostgreSQL (as the tests do), print its
                         URL, stop it when Enter is pressed
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("cluster") => cluster_command(&root),
        Some("postgres") => postgres::Postgres::private().and_then(|server| {
            println!("{}", server.url);
            eprintln!("PostgreSQL is running; press Enter to stop it");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|error| error.to_string())?;
            drop(server);
            Ok(())
        }),
        Some("bench") => bench(&root, &args[1..]),
        Some("dist") => setup_build_tools(&root).and_then(|tools| dist(&root, &tools)),
        Some("size") if args.get(1).map(String::as_str) == Some("--wasm") => {
            profile_file(args.get(2).map(Path::new))
        }
        Some("size") if args.get(1).map(String::as_str) == Some("--built") => {
            write_size_profiles(&root).map(|()| print_size_profiles(&root))
        }
        Some("size") => setup_build_tools(&root)
            .and_then(|tools| dist(&root, &tools))
            .map(|()| print_size_profiles(&root)),
        Some("demo-scenario") => demo::write(&root).map_err(|error| error.to_string()),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Where installed tools live, and the `PATH` that puts them first.
struct Tools {
    path: OsString,
}

fn home() -> PathBuf {
    env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

fn cache_dir() -> PathBuf {
    env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache"))
        .join("watchfloor")
}

/// `file` inside the npm package `package@version`, installed into its own
/// folder of the cache when missing.
fn npm_tool(package: &str, version: &str, file: &str) -> Result<PathBuf> {
    let dir = cache_dir().join(format!("{package}-{version}"));
    let path = dir.join("node_modules").join(package).join(file);
    if !path.exists() {
        println!(
            "installing {package}@{version} (npm) into {}",
            dir.display()
        );
        std::fs::create_dir_all(&dir).map_err(|error| error.to_string())?;
        exec(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "-E"])
                .arg(format!("{package}@{version}"))
                .current_dir(&dir),
        )?;
    }
    Ok(path)
}

/// Lighthouse's command line, for the benchmark's page scores.
fn setup_lighthouse() -> Result<PathBuf> {
    step("page scores: Lighthouse");
    npm_tool("lighthouse", LIGHTHOUSE_VERSION, "cli/index.js")
}

/// axe-core's script, for the end-to-end tests and the benchmark.
fn setup_axe() -> Result<PathBuf> {
    step("accessibility rules: axe-core");
    npm_tool("axe-core", AXE_VERSION, "axe.min.js")
}

fn binaryen_dir() -> PathBuf {
    cache_dir().join(format!("binaryen-{BINARYEN_VERSION}"))
}

fn step(title: &str) {
    println!("\n==> {title}");
}

/// Runs a command to completion; an error names the command.
fn exec(command: &mut Command) -> Result {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|error| format!("could not start {shown}: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// The first line a command prints, if it runs at all.
fn output_line(program: &Path, arg: &str) -> Option<String> {
    let output = Command::new(program).arg(arg).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    Some(text.lines().next().unwrap_or_default().trim().to_string())
}

fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// Trunk.toml must name the same wasm-bindgen as Cargo.lock, or Trunk would
/// try to download another one.
fn check_trunk_toml(root: &Path, wasm_bindgen: &str) -> Result {
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml"))
        .map_err(|error| format!("cannot read Trunk.toml: {error}"))?;
    let expected = format!("wasm_bindgen = \"{wasm_bindgen}\"");
    if trunk_toml.lines().any(|line| line.trim() == expected) {
        Ok(())
    } else {
        Err(format!(
            "Trunk.toml must say `{expected}` under [tools] to match Cargo.lock"
        ))
    }
}

/// Installs (once) everything the wasm build needs and returns the `PATH` to build with.
fn setup_build_tools(root: &Path) -> Result<Tools> {
    step("toolchain");
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|error| format!("rustup is needed to add the wasm target: {error}"))?;
    if !String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        exec(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let bin = cargo_bin();
    let trunk_wanted = format!("trunk {TRUNK_VERSION}");
    if output_line(&bin.join("trunk"), "--version").as_deref() != Some(trunk_wanted.as_str()) {
        println!(
            "installing {trunk_wanted} into {} (about 11 minutes, once)",
            bin.display()
        );
        exec(cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }

    let wasm_bindgen = locked_wasm_bindgen(root)?;
    check_trunk_toml(root, &wasm_bindgen)?;
    let bindgen_wanted = format!("wasm-bindgen {wasm_bindgen}");
    let bindgen_ok = output_line(&bin.join("wasm-bindgen"), "--version").as_deref()
        == Some(bindgen_wanted.as_str())
        && output_line(&bin.join("wasm-bindgen-test-runner"), "--version").is_some();
    if !bindgen_ok {
        println!("installing wasm-bindgen-cli {wasm_bindgen} (about 4 minutes, once)");
        // Not --locked: its lockfile wants a webpki-roots the registry here lacks.
        exec(cargo().args(["install", "wasm-bindgen-cli", "--version", &wasm_bindgen]))?;
    }

    let binaryen = binaryen_dir();
    let wasm_opt = binaryen.join("node_modules/.bin/wasm-opt");
    if output_line(&wasm_opt, "--version").is_none_or(|line| !line.contains("version_132")) {
        println!(
            "installing wasm-opt (npm binaryen@{BINARYEN_VERSION}) into {}",
            binaryen.display()
        );
        std::fs::create_dir_all(&binaryen).map_err(|error| error.to_string())?;
        exec(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "-E"])
                .arg(format!("binaryen@{BINARYEN_VERSION}"))
                .current_dir(&binaryen),
        )?;
    }

    // Trunk passes --offline to cargo: the registry crates must already be here.
    exec(cargo().arg("fetch").current_dir(root))?;

    let mut paths = vec![binaryen.join("node_modules/.bin"), bin];
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    let path = env::join_paths(paths).map_err(|error| error.to_string())?;
    Ok(Tools { path })
}

/// Builds the app's entries (the model's `pages::Page`: each HTML file is
/// its own Trunk build of its own bin, so a screen downloads only the entry
/// it opens) in release mode into dist/ and reports their size.
fn dist(root: &Path, tools: &Tools) -> Result {
    let dist = root.join("dist");
    let staging = root.join("target/trunk");
    for page in Page::ALL {
        let entry = page.html_file();
        step(&format!("app: trunk build --release {entry}"));
        let out = staging.join(page.bin());
        exec(
            Command::new(cargo_bin().join("trunk"))
                .args(["build", "--release", "--skip-version-check", entry])
                .arg("--dist")
                .arg(&out)
                .env("PATH", &tools.path)
                .current_dir(root),
        )?;
    }
    // One directory, as the server serves it: the entries' hashed files
    // cannot collide (each bin and stylesheet names its own).
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|error| format!("{}: {error}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|error| error.to_string())?;
    for page in Page::ALL {
        let out = staging.join(page.bin());
        let files =
            std::fs::read_dir(&out).map_err(|error| format!("{}: {error}", out.display()))?;
        for file in files.flatten() {
            // Trunk writes every entry's page as index.html.
            let name = if file.file_name() == "index.html" {
                page.html_file().into()
            } else {
                file.file_name()
            };
            std::fs::copy(file.path(), dist.join(name))
                .map_err(|error| format!("{}: {error}", file.path().display()))?;
        }
    }
    precompress(&dist)?;
    report_sizes(&dist);
    write_size_profiles(root)
}

/// Profiles each entry's wasm as cargo built it (names kept) into
/// `target/size-profile/<bin>.tsv`, which the first-load benchmark reads.
fn write_size_profiles(root: &Path) -> Result {
    let out = root.join("target/size-profile");
    std::fs::create_dir_all(&out).map_err(|error| error.to_string())?;
    for bin in Page::ALL.map(Page::bin) {
        let wasm = root.join(format!("target/wasm32-unknown-unknown/release/{bin}.wasm"));
        if !wasm.exists() {
            println!("{}: not built", wasm.display());
            continue;
        }
        let profile = profile_of(&wasm)?;
        std::fs::write(out.join(format!("{bin}.tsv")), size::to_tsv(&profile))
            .map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// The size profile of the wasm at `file`.
fn profile_of(file: &Path) -> Result<size::Profile> {
    let bytes = std::fs::read(file).map_err(|error| format!("{}: {error}", file.display()))?;
    size::profile(&bytes)
        .ok_or_else(|| format!("{}: not a wasm module this profiler reads", file.display()))
}

fn profile_file(file: Option<&Path>) -> Result {
    let file = file.ok_or("usage: cargo xtask size --wasm FILE.wasm")?;
    print!("{}", size::to_tsv(&profile_of(file)?));
    Ok(())
}

fn print_size_profiles(root: &Path) {
    for bin in Page::ALL.map(Page::bin) {
        let path = root.join(format!("target/size-profile/{bin}.tsv"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut lines = text.lines().filter_map(|line| line.split_once('\t'));
        let total: f64 = lines
            .next()
            .and_then(|(_, bytes)| bytes.parse().ok())
            .unwrap_or(0.0);
        println!("\n{bin}.wasm (cargo's output, before wasm-bindgen and wasm-opt): {total:.0} B");
        let (owners, functions): (Vec<_>, Vec<_>) = lines.partition(|(owner, _)| *owner != "fn");
        for (owner, bytes) in owners.into_iter().take(25) {
            let bytes: f64 = bytes.parse().unwrap_or(0.0);
            println!(
                "  {owner:<40} {bytes:>9.0} B  {:>5.1}%",
                bytes * 100.0 / total.max(1.0)
            );
        }
        println!("  the largest functions:");
        for (_, line) in functions.into_iter().take(20) {
            println!("    {line}");
        }
    }
}

/// Writes `.gz` and `.br` siblings of every text and wasm asset in dist/, at
/// the best compression, so the server sends precompressed bytes.
fn precompress(dist: &Path) -> Result {
    for file in assets(dist) {
        let data = std::fs::read(&file).map_err(|error| error.to_string())?;
        let mut name = file.clone().into_os_string();
        name.push(".gz");
        std::fs::write(&name, gzip(&data)).map_err(|error| error.to_string())?;
        let mut name = file.into_os_string();
        name.push(".br");
        std::fs::write(&name, brotli(&data)).map_err(|error| error.to_string())?;
    }
    Ok(())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut output = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut output, &params).expect("brotli into memory");
    output
}

/// The app's assets in dist/ (not their compressed siblings).
fn assets(dist: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| ["wasm", "js", "css", "html", "svg"].contains(&extension))
        })
        .collect();
    files.sort();
    files
}

fn report_sizes(dist: &Path) {
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "dist/", "raw B", "gzip B", "brotli B"
    );
    for file in assets(dist) {
        let size = |suffix: &str| {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            std::fs::metadata(name).map(|meta| meta.len()).unwrap_or(0)
        };
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{name:<44} {:>9} {:>9} {:>9}",
            size(""),
            size(".gz"),
            size(".br")
        );
    }
}

/// `cargo xtask run`: build everything and serve the demo exercise.
/// Builds the app and the server binary (`server` profile); returns the binary.
fn build_app_and_server(root: &Path) -> Result<PathBuf> {
    let tools = setup_build_tools(root)?;
    dist(root, &tools)?;
    step("server: cargo build --profile server");
    exec(
        cargo()
            .args(["build", "--profile", "server", "-p", "watchfloor-server"])
            .current_dir(root),
    )?;
    Ok(root.join("target/server/watchfloor-server"))
}

/// `cargo xtask cluster` (see `cluster.rs`).
fn cluster_command(root: &Path) -> Result {
    let server = build_app_and_server(root)?;
    cluster::cluster(root, &server)
}

fn run(root: &Path, args: &[String]) -> Result {
    let server = build_app_and_server(root)?;
    let server_args: Vec<String> = match args.first().map(String::as_str) {
        Some("--") => args[1..].to_vec(),
        _ => args.to_vec(),
    };
    let mut command = Command::new(server);
    command.arg("serve");
    if !server_args.iter().any(|arg| arg == "--addr") {
        command.args(["--addr", "127.0.0.1:8080"]);
    }
    if !server_args.iter().any(|arg| arg == "--data-dir") {
        command.args(["--data-dir", "data"]);
    }
    if !server_args.iter().any(|arg| arg == "--assets") {
        command.arg("--assets").arg(root.join("dist"));
    }
    if !server_args
        .iter()
        .any(|arg| arg == "--scenario" || arg == "--demo")
    {
        command.arg("--demo");
    }
    command.args(&server_args).current_dir(root);
    step("serving (Ctrl-C stops)");
    exec(&mut command)
}

/// Chromium and ChromeDriver from Debian, installed when missing and root.
fn setup_browser() -> Result {
    step("browser: chromium + chromedriver");
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|error| error.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err(format!(
            "{CHROMIUM} and {CHROMEDRIVER} are needed for the browser tests: \
             install them with `sudo apt-get install chromium chromium-driver`"
        ));
    }
    exec(Command::new("apt-get").arg("update"))?;
    exec(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Generated event bodies the fuzz layer posts to the real server (a few seconds).
const FUZZ_CASES: u32 = 2_000;

/// One test layer: its name and the command that runs it.
struct Layer {
    name: &'static str,
    command: Command,
}

/// `cargo xtask test`: every test layer in turn; the first failure stops it
/// and says which layer failed.
fn test(root: &Path) -> Result {
    let tools = setup_build_tools(root)?;
    setup_browser()?;
    let axe = setup_axe()?;
    dist(root, &tools)?;

    let with_tools = |mut command: Command| {
        command
            .env("PATH", &tools.path)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WATCHFLOOR_DIST", root.join("dist"))
            .env("WATCHFLOOR_AXE", &axe)
            .current_dir(root);
        command
    };
    let mut native = cargo();
    // SQLite, the default store (the PostgreSQL layer below sets the URL).
    native
        .args(["test", "--workspace"])
        .env_remove(postgres::TEST_DATABASE_URL);
    // The server's store and integration suites again, on PostgreSQL.
    let postgres = postgres::Postgres::for_tests()?;
    let mut on_postgres = cargo();
    on_postgres
        .args(["test", "-p", "watchfloor-server", "--lib", "--test", "it"])
        .env(postgres::TEST_DATABASE_URL, &postgres.url);
    // The cluster test crashes a PostgreSQL of its own: it needs the programs.
    if let Some(bin) = postgres::bin_dir() {
        on_postgres.env("WATCHFLOOR_TEST_POSTGRES_BIN", bin);
        if postgres::is_root() {
            on_postgres.env("WATCHFLOOR_TEST_POSTGRES_USER", postgres::SERVICE_USER);
        }
    }
    let mut fuzz = cargo();
    fuzz.args([
        "test",
        "-p",
        "watchfloor-server",
        "--test",
        "it",
        "fuzz",
        "--",
        "--ignored",
        "--nocapture",
    ])
    .env("PROPTEST_CASES", FUZZ_CASES.to_string());
    let mut browser = cargo();
    browser.args([
        "test",
        "-p",
        "watchfloor",
        "--target",
        "wasm32-unknown-unknown",
        "--test",
        "browser",
    ]);
    let mut end_to_end = cargo();
    end_to_end.args([
        "test",
        "-p",
        "watchfloor",
        "--features",
        "e2e",
        "--test",
        "e2e",
    ]);
    let mut format = cargo();
    format.args(["fmt", "--all", "--", "--check"]);
    let mut lints = cargo();
    lints.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    let layers = [
        Layer {
            name: "native tests (cargo test --workspace)",
            command: native,
        },
        Layer {
            name: "server and store tests again on PostgreSQL (a private server)",
            command: on_postgres,
        },
        Layer {
            name: "fuzz (generated event bodies posted to the real server)",
            command: fuzz,
        },
        Layer {
            name: "browser component tests (wasm-bindgen-test in headless Chromium)",
            command: browser,
        },
        Layer {
            name: "end-to-end tests (real server + headless Chromium over WebDriver)",
            command: end_to_end,
        },
        Layer {
            name: "formatting (cargo fmt --check)",
            command: format,
        },
        Layer {
            name: "lints (cargo clippy -D warnings)",
            command: lints,
        },
    ];
    let mut passed = Vec::new();
    for layer in layers {
        step(layer.name);
        let started = Instant::now();
        let mut command = with_tools(layer.command);
        if let Err(error) = exec(&mut command) {
            return Err(format!(
                "test layer FAILED: {}\n  {error}\n  (the output above names the failing test)",
                layer.name
            ));
        }
        passed.push(format!("{} ({:.0?})", layer.name, started.elapsed()));
    }
    println!("\nall test layers passed:");
    for line in passed {
        println!("  ok  {line}");
    }
    Ok(())
}

/// `cargo xtask bench [NAME]`: every benchmark (or one), each beside its
/// reference, into bench/results.md. Not a test: nothing fails on a slow machine.
fn bench(root: &Path, names: &[String]) -> Result {
    let tools = setup_build_tools(root)?;
    setup_browser()?;
    let axe = setup_axe()?;
    let lighthouse = setup_lighthouse()?;
    for (program, package) in [("/usr/bin/wrk", "wrk"), ("/usr/sbin/nginx", "nginx")] {
        if !Path::new(program).exists() {
            step(&format!(
                "installing {package} (Debian) for the read-throughput reference"
            ));
            exec(
                Command::new("apt-get")
                    .args(["install", "-y", "--no-install-recommends", package])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
            )
            .map_err(|error| {
                format!("{error}: run `apt-get update` first, or install {package}")
            })?;
        }
    }
    dist(root, &tools)?;
    step("server: cargo build --profile server");
    exec(
        cargo()
            .args(["build", "--profile", "server", "-p", "watchfloor-server"])
            .current_dir(root),
    )?;
    step("benchmarks");
    // Ten thousand SSE clients need as many file descriptors, in both processes.
    let mut script = String::from(
        "ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec cargo bench --profile server -p watchfloor --features e2e --bench watchfloor --",
    );
    for name in names {
        script.push(' ');
        script.push_str(name);
    }
    exec(
        Command::new("sh")
            .args(["-c", &script])
            .env("PATH", &tools.path)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WATCHFLOOR_DIST", root.join("dist"))
            .env("WATCHFLOOR_AXE", &axe)
            .env("WATCHFLOOR_LIGHTHOUSE", &lighthouse)
            .env("CHROME_PATH", CHROMIUM)
            .env(
                "WATCHFLOOR_SERVER_BIN",
                root.join("target/server/watchfloor-server"),
            )
            .current_dir(root),
    )
}
