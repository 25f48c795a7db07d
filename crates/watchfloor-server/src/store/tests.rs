//! The store's contract, run on every backend: SQLite always, PostgreSQL too
//! when `WATCHFLOOR_TEST_DATABASE_URL` names a server to make databases on
//! (`cargo xtask test` starts a private one). One suite, not a copy per store.

use super::*;
use watchfloor_model::event::PhaseChanged;
use watchfloor_model::EventBody;

/// A public event numbered `seq` (the SQLite-only tests use it too).
pub(super) fn event(seq: u64) -> StoredEvent {
    StoredEvent {
        event: Event {
            by: None,
            entry: None,
            seq,
            at: "2026-11-23T08:00:00.125Z".parse().expect("time"),
            body: EventBody::PhaseChanged(PhaseChanged {
                phase: watchfloor_model::Phase::Execution,
                reason: None,
            }),
        },
        visibility: Visibility::Public,
    }
}

/// A fresh, empty PostgreSQL database on the test server, if there is one.
fn postgres_database() -> Option<String> {
    let admin = std::env::var("WATCHFLOOR_TEST_DATABASE_URL").ok()?;
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("random");
    let name = format!(
        "wf_store_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls)
        .expect("the test PostgreSQL server answers");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a test database");
    let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let base = base.rsplit_once('/').map_or(base, |(base, _)| base);
    Some(if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    })
}

/// Each backend's store, empty, with its name (the temp dir lives as long).
fn stores() -> Vec<(&'static str, Arc<dyn Store>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut stores = vec![(
        "sqlite",
        Database::Sqlite(dir.path().to_owned())
            .open()
            .expect("open"),
        dir,
    )];
    if let Some(url) = postgres_database() {
        stores.push((
            "postgres",
            Database::Postgres(url).open().expect("open"),
            tempfile::tempdir().expect("temp dir"),
        ));
    }
    stores
}

#[test]
fn a_commit_is_all_or_nothing() {
    for (backend, store, _dir) in stores() {
        store
            .commit(&Commit {
                events: vec![event(1), event(2)],
                ..Commit::default()
            })
            .expect("first commit");
        // seq 2 again: the primary key refuses it, and seq 3 must not stay behind.
        let refused = store.commit(&Commit {
            events: vec![event(3), event(2)],
            ..Commit::default()
        });
        assert!(refused.is_err(), "{backend}");
        let events = store.events_after(0).expect("read");
        assert_eq!(
            events.iter().map(|e| e.event.seq).collect::<Vec<_>>(),
            [1, 2],
            "{backend}"
        );
        assert_eq!(
            events[0],
            event(1),
            "{backend}: times round-trip to the millisecond"
        );
        assert_eq!(store.events_after(1).expect("read").len(), 1, "{backend}");
    }
}

#[test]
fn an_append_that_fails_to_build_writes_nothing() {
    for (backend, store, _dir) in stores() {
        let failed = store.append(0, &mut |_| Err(crate::error::Error::Internal("no".into())));
        assert!(failed.is_err(), "{backend}");
        let written = store
            .append(0, &mut |others| {
                assert!(others.is_empty(), "{backend}: nothing to catch up with");
                Ok(Commit {
                    events: vec![event(1)],
                    ..Commit::default()
                })
            })
            .expect("append");
        assert_eq!(
            written.events,
            [event(1)],
            "{backend}: the commit comes back"
        );
        assert_eq!(
            store.events_after(0).expect("read"),
            [event(1)],
            "{backend}"
        );
    }
}

#[test]
fn a_token_keeps_only_its_newest_sessions() {
    for (backend, store, _dir) in stores() {
        let id = store.create_token(Role::Control, "c", "cc").expect("token");
        let other = store
            .create_token(Role::Commander, "o", "oo")
            .expect("token");
        let later = Utc::now() + chrono::Duration::hours(1);
        store
            .create_session("o1", other, Utc::now(), later, 3)
            .expect("session");
        for n in 0..5 {
            store
                .create_session(&format!("s{n}"), id, Utc::now(), later, 3)
                .expect("session");
        }
        let live: Vec<bool> = (0..5)
            .map(|n| {
                store
                    .session(&format!("s{n}"), Utc::now())
                    .expect("read")
                    .is_some()
            })
            .collect();
        assert_eq!(live, [false, false, true, true, true], "{backend}");
        assert!(
            store.session("o1", Utc::now()).expect("read").is_some(),
            "{backend}: another token's session stays"
        );
    }
}

#[test]
fn revoking_a_token_ends_its_sessions() {
    for (backend, store, _dir) in stores() {
        let id = store
            .create_token(Role::Commander, "alice", "aa")
            .expect("token");
        let later = Utc::now() + chrono::Duration::hours(1);
        store
            .create_session("ss", id, Utc::now(), later, 10)
            .expect("session");
        assert_eq!(
            store.session("ss", Utc::now()).expect("read").map(|t| t.id),
            Some(id),
            "{backend}"
        );
        assert!(
            store.session("ss", later).expect("read").is_none(),
            "{backend}: expired"
        );
        assert!(
            store.revoke_token(id).expect("revoke"),
            "{backend}: the token exists"
        );
        assert!(
            store.session("ss", Utc::now()).expect("read").is_none(),
            "{backend}"
        );
        assert!(
            store.active_token("aa").expect("read").is_none(),
            "{backend}"
        );
        assert!(
            !store.revoke_token(99).expect("revoke"),
            "{backend}: there is no token 99"
        );
        assert!(
            store.tokens().expect("list")[0].revoked_at.is_some(),
            "{backend}"
        );
    }
}

#[test]
fn idempotency_keys_and_player_progress_round_trip() {
    for (backend, store, _dir) in stores() {
        let now: DateTime<Utc> = "2026-11-23T08:00:00.125Z".parse().expect("time");
        let record = IdempotencyRecord {
            token_id: 7,
            key: "k".into(),
            body_sha256: "ab".into(),
            seqs: vec![1, 2],
            created_at: now,
        };
        let progress = PlayerProgress {
            scenario: "s".into(),
            scenario_sha256: "cd".into(),
            startex: now,
            speed: 60.0,
            next: 3,
        };
        store
            .commit(&Commit {
                events: vec![event(1), event(2)],
                idempotency: vec![record.clone()],
                progress: Some(progress.clone()),
                forget_keys_before: None,
            })
            .expect("commit");
        let before = now - chrono::Duration::hours(1);
        assert_eq!(
            store.idempotency(7, "k", before).expect("read"),
            Some(record),
            "{backend}"
        );
        assert_eq!(
            store.idempotency(8, "k", before).expect("read"),
            None,
            "{backend}"
        );
        assert_eq!(
            store.player_progress().expect("read"),
            Some(progress),
            "{backend}"
        );
    }
}

/// Two servers' stores on one PostgreSQL database: an append is handed
/// what the other appended since its head, under the lock, and numbers on
/// from there; a commit with a seq already taken is fenced off.
#[test]
fn on_postgresql_an_append_catches_up_with_another_servers_appends() {
    let Some(url) = postgres_database() else {
        return;
    };
    let first = PgStore::open(&url).expect("open");
    let second = PgStore::open(&url).expect("open");
    first
        .append(0, &mut |others| {
            assert!(others.is_empty());
            Ok(Commit {
                events: vec![event(1), event(2)],
                ..Commit::default()
            })
        })
        .expect("first server appends");
    let mut seen = Vec::new();
    second
        .append(0, &mut |others| {
            seen = others.iter().map(|e| e.event.seq).collect();
            Ok(Commit {
                events: vec![event(3)],
                ..Commit::default()
            })
        })
        .expect("second server appends after catching up");
    assert_eq!(seen, [1, 2]);
    assert!(
        first
            .commit(&Commit {
                events: vec![event(3)],
                ..Commit::default()
            })
            .is_err(),
        "seq 3 is taken: the primary key fences a stale writer"
    );
    assert_eq!(
        first
            .events_after(0)
            .expect("read")
            .iter()
            .map(|e| e.event.seq)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
}
