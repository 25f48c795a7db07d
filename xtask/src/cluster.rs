//! `cargo xtask cluster`: the deployment of several servers on one machine,
//! to see it work — a private PostgreSQL, three `watchfloor-server`s on
//! loopback ports sharing it (all with the demo: one plays it, the others
//! take over if it stops), and nginx in front configured for server-sent
//! events. Prints the one URL and a control token; Enter stops everything.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::postgres::Postgres;
use crate::{exec, step, Result};

/// Servers behind the load balancer.
const SERVERS: usize = 3;

/// Children killed when dropped, in reverse order of starting.
struct Running(Vec<(String, Child)>);

impl Drop for Running {
    fn drop(&mut self) {
        while let Some((_, mut child)) = self.0.pop() {
            // SIGTERM first: nginx's master then stops its workers, and a
            // server shuts down cleanly; SIGKILL only if that does not do.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("no free port: {error}"))
}

/// Starts `watchfloor-server serve` and waits for its ready line.
fn start_server(binary: &Path, port: u16, url: &str, assets: &Path) -> Result<Child> {
    let mut child = Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--assets")
        .arg(assets)
        .arg("--demo")
        // Behind one proxy every viewer is one address.
        .args([
            "--max-connections-per-ip",
            "10000",
            "--max-streams-per-ip",
            "8000",
        ])
        .env("WATCHFLOOR_DATABASE_URL", url)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", binary.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|error| error.to_string())?;
    if !line.starts_with("Watchfloor listening on") {
        let _ = child.kill();
        return Err(format!("server on port {port} did not start: {line:?}"));
    }
    Ok(child)
}

/// nginx's configuration for the servers: SSE passes unbuffered, streams
/// may stay open for hours, and a server that fails or answers 503 is
/// skipped for the next.
fn nginx_conf(dir: &Path, port: u16, servers: &[u16], root: bool) -> String {
    let upstreams: String = servers
        .iter()
        .map(|port| format!("        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n"))
        .collect();
    let dir = dir.display();
    format!(
        "{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 20000; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream watchfloor {{
{upstreams}        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://watchfloor;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $host;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout http_503;
        }}
    }}
}}
",
        user = if root { "user root;\n" } else { "" },
    )
}

pub fn cluster(root: &Path, server: &Path) -> Result {
    let nginx = Path::new("/usr/sbin/nginx");
    if !nginx.exists() {
        exec(Command::new("apt-get").arg("update"))?;
        exec(
            Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends", "nginx"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    }
    let postgres = Postgres::private()?;
    let token = Command::new(server)
        .args(["token", "create", "--role", "control", "--name", "cluster"])
        .env("WATCHFLOOR_DATABASE_URL", &postgres.url)
        .stderr(Stdio::null())
        .output()
        .map_err(|error| error.to_string())?;
    if !token.status.success() {
        return Err("could not create a control token in the cluster's database".into());
    }
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();

    step("three servers on one PostgreSQL log");
    let assets = root.join("dist");
    let mut running = Running(Vec::new());
    let mut ports = Vec::new();
    for n in 1..=SERVERS {
        let port = free_port()?;
        let child = start_server(server, port, &postgres.url, &assets)?;
        println!(
            "  server {n}: http://127.0.0.1:{port}/ (pid {})",
            child.id()
        );
        running.0.push((format!("server {n}"), child));
        ports.push(port);
    }

    step("nginx in front");
    let dir: PathBuf =
        std::env::temp_dir().join(format!("watchfloor-nginx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|error| error.to_string())?;
    let port = if TcpListener::bind("127.0.0.1:8080").is_ok() {
        8080
    } else {
        free_port()?
    };
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false);
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, nginx_conf(&dir, port, &ports, root_user))
        .map_err(|error| error.to_string())?;
    let proxy = Command::new(nginx)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(&dir)
        .args(["-g", "daemon off;"])
        .spawn()
        .map_err(|error| format!("could not start nginx: {error}"))?;
    running.0.push(("nginx".into(), proxy));

    println!(
        "\nWatchfloor cluster: http://127.0.0.1:{port}/\n  \
         control token (sign in with it, or `Authorization: Bearer …`): {token}\n  \
         PostgreSQL: {}\n  \
         each server's readiness: /readyz; stop one (kill its pid) and another plays the demo on\n\
         Press Enter to stop everything.",
        postgres.url
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
    drop(postgres);
    Ok(())
}
