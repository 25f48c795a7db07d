//! The `watchfloor-server` binary: parses the command line and calls the library.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use watchfloor_server::{Config, OperatorError, Role};

/// Watchfloor's server: the event log, JSON API, live stream and scenario player.
#[derive(Parser)]
#[command(name = "watchfloor-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once at start: the size of `serve`'s flags costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Serve the API (and the app, with --assets).
    Serve(ServeArgs),
    /// Create, list or revoke access tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Back up or restore the store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Work with scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    data: Storage,
    /// Play the built-in Cyber Coalition demo.
    #[arg(long, conflicts_with = "scenario")]
    demo: bool,
    /// Play a scenario file.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Simulated seconds per wall-clock second (60: an hour a minute).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// The built app to serve (Trunk's dist/).
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
    /// Hold public events back from public readers until they are this old (90s, 15m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = watchfloor_model::time::parse_duration, default_value = "0")]
    public_delay: chrono::Duration,
    /// How long an Idempotency-Key is remembered, per token (a retry within it appends nothing).
    #[arg(long, value_name = "DURATION", value_parser = watchfloor_model::time::parse_duration, default_value = "24h")]
    idempotency_window: chrono::Duration,
    /// The most the event log's database may grow to (e.g. 500M, 2G); reaching
    /// it stops the server like a full disk, with nothing acknowledged lost.
    #[arg(long, value_name = "SIZE", value_parser = byte_size)]
    max_log_size: Option<u64>,
    /// Serve HTTPS with this PEM certificate chain (the server's certificate
    /// first); needs --tls-key. The session cookie is then Secure and HSTS is sent.
    #[arg(long, value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE")]
    tls_key: Option<PathBuf>,
    #[command(flatten)]
    limits: Limits,
}

/// What the server holds open at once, and how long it waits for slow clients.
#[derive(clap::Args)]
struct Limits {
    /// Connections open at once; more are answered 503 (with Retry-After) and closed.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_connections: usize,
    /// Connections open at once from one client address (behind a reverse proxy
    /// or NAT every client shares one: raise it).
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections_per_ip: usize,
    /// Event streams open at once; more are answered 503 (with Retry-After).
    #[arg(long, value_name = "N", default_value_t = 8_000)]
    max_streams: usize,
    /// Event streams open at once from one client address.
    #[arg(long, value_name = "N", default_value_t = 128)]
    max_streams_per_ip: usize,
    /// A request head must arrive within this of its first byte, else the connection is closed.
    #[arg(long, value_name = "DURATION", value_parser = std_duration, default_value = "10s")]
    header_timeout: std::time::Duration,
    /// A connection with no request under way closes after this long without a byte.
    #[arg(long, value_name = "DURATION", value_parser = std_duration, default_value = "60s")]
    idle_timeout: std::time::Duration,
    /// A request body must arrive within this of its head (408 beyond).
    #[arg(long, value_name = "DURATION", value_parser = std_duration, default_value = "30s")]
    body_timeout: std::time::Duration,
    /// A stream (or any answer) whose client reads nothing for this long is closed.
    #[arg(long, value_name = "DURATION", value_parser = std_duration, default_value = "30s")]
    stalled_stream_timeout: std::time::Duration,
}

impl Limits {
    fn apply(&self, config: &mut Config) {
        config.max_connections = self.max_connections;
        config.max_connections_per_ip = self.max_connections_per_ip;
        config.max_streams = self.max_streams;
        config.max_streams_per_ip = self.max_streams_per_ip;
        config.header_timeout = self.header_timeout;
        config.idle_timeout = self.idle_timeout;
        config.body_timeout = self.body_timeout;
        config.stalled_stream_timeout = self.stalled_stream_timeout;
    }
}

/// A size in bytes: `1048576`, or with a binary suffix `K`, `M`, `G`
/// (`500M` is 500 MiB).
fn byte_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let scale: u64 = match unit.trim().to_ascii_uppercase().trim_end_matches('B') {
        "" => 1,
        "K" | "KI" => 1 << 10,
        "M" | "MI" => 1 << 20,
        "G" | "GI" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}`: use K, M or G (e.g. 500M)"
            ))
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(scale))
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("`{text}` is not a size, e.g. 500M or 2G"))
}

/// A length of time as `--public-delay` takes it (90s, 15m, 1h), not negative.
fn std_duration(text: &str) -> Result<std::time::Duration, String> {
    watchfloor_model::time::parse_duration(text)?
        .to_std()
        .map_err(|_| format!("{text} is negative"))
}

/// Where the store is.
#[derive(clap::Args)]
struct Storage {
    /// Where the SQLite database lives (the default store, one server).
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// A PostgreSQL database that several servers share instead
    /// (postgres://user:password@host:5432/db); --data-dir is then unused.
    #[arg(
        long,
        env = "WATCHFLOOR_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

impl Storage {
    fn database(&self) -> watchfloor_server::Database {
        match &self.database_url {
            Some(url) => watchfloor_server::Database::Postgres(url.clone()),
            None => watchfloor_server::Database::Sqlite(self.data_dir.clone()),
        }
    }
}

/// The data dir alone: what only the SQLite store has.
#[derive(clap::Args)]
struct DataDir {
    /// Where the SQLite database lives.
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy a running server's SQLite store to FILE, consistently (SQLite's
    /// online backup: the copy is the log as of one commit). For PostgreSQL
    /// use pg_dump or base backups (docs/deploy.md).
    Backup {
        /// The new file (never overwritten).
        file: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Copy a data dir's SQLite store (its server stopped) into an empty
    /// PostgreSQL database, seqs and tokens as they were (sessions do not move).
    Copy {
        #[command(flatten)]
        data: DataDir,
        /// The PostgreSQL database to fill.
        #[arg(
            long,
            env = "WATCHFLOOR_DATABASE_URL",
            value_name = "URL",
            hide_env_values = true
        )]
        database_url: String,
    },
    /// Bring a backup back as the data dir's store (no server may be running on it).
    Restore {
        /// A file made by `store backup`.
        file: PathBuf,
        /// Replace a store that already has events (its files are kept beside it).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, on stdout, and stored only as a hash.
    Create {
        /// commander (reads everything) or control (reads and posts events).
        #[arg(long)]
        role: Role,
        /// Who holds it, e.g. "white cell laptop".
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: Storage,
    },
    /// List tokens (never their text).
    List {
        #[command(flatten)]
        data: Storage,
    },
    /// Revoke a token at once, ending its browser sessions.
    Revoke {
        /// The token's id, from `token list`.
        id: i64,
        #[command(flatten)]
        data: Storage,
    },
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Report every problem in a scenario file, with its entry and field.
    Check { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).map(|()| ExitCode::SUCCESS),
        Command::Token { command } => token(command).map(|()| ExitCode::SUCCESS),
        Command::Store { command } => store(command).map(|()| ExitCode::SUCCESS),
        Command::Scenario {
            command: ScenarioCommand::Check { file },
        } => scenario_check(&file),
    };
    result.unwrap_or_else(|error| {
        // An operator error is one line: what failed, and what to change where it can say.
        eprintln!("error: {error}");
        ExitCode::FAILURE
    })
}

fn serve(args: ServeArgs) -> Result<(), OperatorError> {
    watchfloor_server::init_tracing();
    let scenario = match (&args.scenario, args.demo) {
        (Some(file), _) => Some(watchfloor_server::load_scenario(file)?),
        (None, true) => Some(watchfloor_server::demo_scenario()),
        (None, false) => None,
    };
    let mut config = Config::new(&args.data.data_dir);
    config.database = args.data.database();
    config.assets = args.assets;
    config.scenario = scenario;
    config.speed = args.speed;
    config.public_delay = args.public_delay;
    config.idempotency_window = args.idempotency_window;
    config.max_log_bytes = args.max_log_size;
    args.limits.apply(&mut config);
    config.tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(watchfloor_server::TlsConfig::load(cert, key)?),
        (None, None) => None,
        _ => {
            return Err(OperatorError::Setting(
                "--tls-cert and --tls-key go together: give both (a PEM certificate chain and its private key) to serve HTTPS, or neither for plain HTTP".into(),
            ))
        }
    };
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| OperatorError::Io {
            action: "start the async runtime".into(),
            source,
        })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|source| OperatorError::Io {
                action: format!("listen on {}", args.addr),
                source,
            })?;
        watchfloor_server::serve_with_ready(listener, config, shutdown_signal(), |address| {
            // The xtask and tests wait for exactly this line.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "Watchfloor listening on {scheme}://{address}/");
            let _ = stdout.flush();
        })
        .await
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

fn token(command: TokenCommand) -> Result<(), OperatorError> {
    match command {
        TokenCommand::Create { role, name, data } => {
            let (id, token) = watchfloor_server::create_token(data.database(), role, &name)?;
            eprintln!(
                "Created {role} token {id} for \"{}\". It is shown only now; keep it safe:",
                name.trim()
            );
            println!("{token}");
            eprintln!("Use it as `Authorization: Bearer <token>`, or sign in with it in the app.");
        }
        TokenCommand::List { data } => {
            let tokens = watchfloor_server::list_tokens(data.database())?;
            if tokens.is_empty() {
                println!("no tokens (create one with `watchfloor-server token create`)");
            } else {
                println!(
                    "{:>4}  {:<9}  {:<24}  {:<24}  name",
                    "id", "role", "created", "revoked"
                );
            }
            for token in tokens {
                println!(
                    "{:>4}  {:<9}  {:<24}  {:<24}  {}",
                    token.id,
                    token.role,
                    token.created_at.format("%Y-%m-%d %H:%M:%SZ"),
                    token.revoked_at.map_or_else(
                        || "-".into(),
                        |at| at.format("%Y-%m-%d %H:%M:%SZ").to_string()
                    ),
                    token.name
                );
            }
        }
        TokenCommand::Revoke { id, data } => {
            watchfloor_server::revoke_token(data.database(), id)?;
            println!("token {id} is revoked; its browser sessions have ended");
        }
    }
    Ok(())
}

fn store(command: StoreCommand) -> Result<(), OperatorError> {
    match command {
        StoreCommand::Backup { file, data } => {
            let head = watchfloor_server::backup_store(&data.data_dir, &file)?;
            println!(
                "backed up the store to {}: the log up to seq {head}",
                file.display()
            );
        }
        StoreCommand::Copy { data, database_url } => {
            let head = watchfloor_server::copy_store(&data.data_dir, &database_url)?;
            println!(
                "copied {} into {}: the log up to seq {head}, and the tokens; sessions stay behind (sign in again)",
                data.data_dir.display(),
                watchfloor_server::Database::Postgres(database_url)
            );
        }
        StoreCommand::Restore {
            file,
            replace,
            data,
        } => {
            let head = watchfloor_server::restore_store(&data.data_dir, &file, replace)?;
            println!(
                "restored {} into {}: the log up to seq {head}",
                file.display(),
                data.data_dir.display()
            );
        }
    }
    Ok(())
}

/// Prints every problem, one a line on stdout; fails if there is any.
fn scenario_check(file: &std::path::Path) -> Result<ExitCode, OperatorError> {
    let text = std::fs::read_to_string(file).map_err(|source| OperatorError::Io {
        action: format!("read {}", file.display()),
        source,
    })?;
    let problems = watchfloor_server::scenario_problems(&text);
    if problems.is_empty() {
        let scenario = watchfloor_model::scenario::Scenario::parse(&text).expect("checked above");
        println!(
            "{}: ok — \"{}\", {} entries over {}, joining at {}",
            file.display(),
            scenario.name,
            scenario.entries.len(),
            scenario.duration,
            scenario.start_at.as_deref().unwrap_or("STARTEX")
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("{}: {problem}", file.display());
    }
    println!("{}: {} problem(s)", file.display(), problems.len());
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_flags_default_to_the_configs_defaults() {
        let Cli {
            command: Command::Serve(args),
        } = Cli::parse_from(["watchfloor-server", "serve"])
        else {
            panic!("serve parses");
        };
        let mut config = Config::new("x");
        args.limits.apply(&mut config);
        let defaults = Config::new("x");
        assert_eq!(
            format!("{config:?}"),
            format!("{defaults:?}"),
            "the flags' defaults and Config::new agree"
        );
    }

    #[test]
    fn limit_flags_reach_the_config() {
        let Cli {
            command: Command::Serve(args),
        } = Cli::parse_from([
            "watchfloor-server",
            "serve",
            "--max-streams-per-ip",
            "7",
            "--stalled-stream-timeout",
            "2m",
        ])
        else {
            panic!("serve parses");
        };
        let mut config = Config::new("x");
        args.limits.apply(&mut config);
        assert_eq!(config.max_streams_per_ip, 7);
        assert_eq!(
            config.stalled_stream_timeout,
            std::time::Duration::from_secs(120)
        );
    }

    #[test]
    fn sizes_read_with_binary_suffixes() {
        assert_eq!(byte_size("1048576"), Ok(1 << 20));
        assert_eq!(byte_size("500M"), Ok(500 << 20));
        assert_eq!(byte_size("2G"), Ok(2 << 30));
        assert_eq!(byte_size("64KiB"), Ok(64 << 10));
        assert!(byte_size("0").is_err());
        assert!(byte_size("5T").is_err());
        assert!(byte_size("99999999999G").is_err());
    }
}
