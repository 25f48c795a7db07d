//! The data dir on disk: created readable by its owner only, and held by
//! one server at a time.
//!
//! - [`create`] makes the directory (mode 0700) and [`restrict`] sets a file
//!   the server owns there (the database, its `-wal` and `-shm`, the lock) to
//!   0600, explicitly, whatever the umask: the database holds restricted
//!   events and the hashes of every token and session.
//! - [`DataDirLock`] is an exclusive lock on `watchfloor.lock` in the data
//!   dir, taken by [`AppState::start`](crate::AppState::start) before the
//!   store is opened and held until shutdown, with the holder's pid written
//!   in it. Two servers on one data dir would both number events from the
//!   same head; the second stops at once instead. The operator's token
//!   commands do not take it: SQLite orders their writes with the server's.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::operator::OperatorError;

/// The lock file inside the data dir.
pub const LOCK_FILE: &str = "watchfloor.lock";

/// The data dir's mode when the server creates it.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// The mode of every file the server keeps in the data dir.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates the data dir (and missing parents) readable by its owner only.
/// A directory that already exists is left as the operator made it.
pub fn create(data_dir: &Path) -> std::io::Result<()> {
    if data_dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(data_dir)?;
    // `mode` is filtered by the umask; set it outright.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// Sets a file the server owns to owner-only (0600); a file that does not
/// exist (a `-wal` SQLite has not made yet) is fine.
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `path` empty and owner-only if it does not exist, so a file
/// SQLite then opens is never readable by others, not even for a moment.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    match options.open(path) {
        Ok(_) => restrict(path),
        // Someone (a token command) made it just now: fine.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// `path` with `suffix` appended to its file name (`watchfloor.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The exclusive lock on a data dir; released when dropped (or when the
/// process ends, however it ends: the operating system drops the lock).
#[derive(Debug)]
pub struct DataDirLock {
    /// Held open: the lock lives as long as this descriptor.
    _file: File,
}

impl DataDirLock {
    /// Takes the data dir's lock (creating the dir if needed) and writes
    /// this process's pid in the lock file; fails at once, naming the dir
    /// and the holder's pid, if another server holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, OperatorError> {
        let refused = |reason: String| OperatorError::DataDir {
            path: data_dir.to_owned(),
            reason,
        };
        create(data_dir).map_err(|error| refused(format!("cannot be created: {error}")))?;
        let path = data_dir.join(LOCK_FILE);
        create_private_file(&path)
            .map_err(|error| refused(format!("cannot create its {LOCK_FILE}: {error}")))?;
        // Not truncated on open: the holder's pid is still to be read.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|error| refused(format!("cannot open its {LOCK_FILE}: {error}")))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let pid = holder.trim();
                return Err(OperatorError::DataDirInUse {
                    path: data_dir.to_owned(),
                    pid: if pid.is_empty() || !pid.chars().all(|c| c.is_ascii_digit()) {
                        "unknown".into()
                    } else {
                        pid.to_owned()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(refused(format!("cannot lock its {LOCK_FILE}: {error}")));
            }
        }
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        written.map_err(|error| refused(format!("cannot write its {LOCK_FILE}: {error}")))?;
        Ok(DataDirLock { _file: file })
    }
}
