//! Random event sequences for property tests.
//!
//! A sequence is a list of abstract operations over small pools of nation
//! codes and incident ids, so that most events are valid (the nation has
//! joined, the incident exists) and some are not (a nation that never joined,
//! a status going backwards, a control character in a title). Invalid events
//! are refused by `State::apply` and skipped, as the server would refuse them.
//!
//! Texts are labelled as they are built: every text that must never reach a
//! public reader — any `detail`, and the title, summary, team and notes of a
//! restricted incident — carries a unique marker `SECRET-<n>-...`.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use watchfloor_model::event::*;
use watchfloor_model::redact::{self, Audience};
use watchfloor_model::types::*;
use watchfloor_model::{Event, State};

/// What every marker of restricted text starts with.
pub const MARKER: &str = "SECRET-";

/// Nation codes; the last is not a valid code at all.
const NATIONS: &[&str] = &["EST", "LVA", "FIN", "EU-CDS", "USA", "ltu"];
/// Incident ids; the last is not a valid id.
const INCIDENTS: &[&str] = &[
    "CC-1", "CC-2", "CC-3", "CC-4", "CC-5", "CC-6", "CC-7", "CC-8", "CC-9", "bad id",
];
const CATEGORIES: &[&str] = &[
    "ddos",
    "ransomware",
    "classified_network_breach",
    "Bad Slug",
];

#[derive(Clone, Debug)]
pub enum Op {
    Exercise {
        name: bool,
        edition: bool,
        /// Hours from the base time.
        startex: Option<i64>,
        endex: Option<i64>,
        speed: Option<f64>,
    },
    Phase {
        phase: Phase,
        /// A (restricted) reason: accepted with a pause only.
        reason: bool,
    },
    /// Control holds the scenario player (refused when held).
    Hold {
        reason: bool,
    },
    /// Control resumes it (refused when not held).
    Resume,
    /// Control skips a scenario entry (refused when it was handled).
    Skip {
        entry: u32,
        note: bool,
    },
    /// The server pairs (or unpairs) screen `screen`.
    Pair {
        screen: u32,
        unpair: bool,
    },
    /// Control shows a slide on a screen (or all, with `None`), with
    /// restricted-marked text; clears it; sets settings; the safe slide.
    Slide {
        screen: Option<u32>,
        clear: bool,
    },
    Settings {
        screen: Option<u32>,
    },
    Safe {
        on: bool,
    },
    Join {
        nation: usize,
        kind: NationKind,
        participants: u32,
        teams: u32,
    },
    Status {
        nation: usize,
        status: ConnectionStatus,
    },
    Participants {
        nation: usize,
        participants: u32,
        teams: u32,
    },
    Open {
        incident: usize,
        category: usize,
        visibility: Visibility,
        severity: Severity,
        status: IncidentStatus,
        nations: Vec<usize>,
        team: bool,
        detail: bool,
        inject: bool,
        /// A control character in the title: must be refused.
        bad_text: bool,
    },
    Update {
        incident: usize,
        status: Option<IncidentStatus>,
        severity: Option<Severity>,
        note: bool,
        nations: Option<Vec<usize>>,
        team: bool,
        summary: bool,
        detail: bool,
        /// A control character in the note (or detail): must be refused.
        bad_text: bool,
    },
    Response {
        incident: usize,
        nation: usize,
        milestone: Milestone,
    },
}

/// Mostly a valid pool index, now and then the invalid last one.
fn index(pool: &'static [&'static str]) -> impl Strategy<Value = usize> + Clone {
    prop_oneof![19 => 0..pool.len() - 1, 1 => Just(pool.len() - 1)]
}

fn nation() -> impl Strategy<Value = usize> + Clone {
    index(NATIONS)
}

fn incident() -> impl Strategy<Value = usize> + Clone {
    index(INCIDENTS)
}

fn nation_list() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(nation(), 0..4)
}

fn join() -> impl Strategy<Value = Op> {
    (nation(), select(NationKind::ALL), 0u32..80, 0u32..10).prop_map(
        |(nation, kind, participants, teams)| Op::Join {
            nation,
            kind,
            participants,
            teams,
        },
    )
}

fn op() -> impl Strategy<Value = Op> {
    let exercise = (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(-48i64..48),
        prop::option::of(-48i64..200),
        prop::option::of(select(&[1.0, 60.0, 0.5, 3600.0, 0.0][..])),
    )
        .prop_map(|(name, edition, startex, endex, speed)| Op::Exercise {
            name,
            edition,
            startex,
            endex,
            speed,
        });
    let phase = (select(Phase::ALL), prop::bool::weighted(0.3))
        .prop_map(|(phase, reason)| Op::Phase { phase, reason });
    let hold = any::<bool>().prop_map(|reason| Op::Hold { reason });
    let skip = (0u32..16, any::<bool>()).prop_map(|(entry, note)| Op::Skip { entry, note });
    let status = (nation(), select(ConnectionStatus::ALL))
        .prop_map(|(nation, status)| Op::Status { nation, status });
    let participants =
        (nation(), 0u32..80, 0u32..10).prop_map(|(nation, participants, teams)| Op::Participants {
            nation,
            participants,
            teams,
        });
    let open = (
        (incident(), index(CATEGORIES), select(Visibility::ALL)),
        (
            select(Severity::ALL),
            select(IncidentStatus::ALL),
            nation_list(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop::bool::weighted(0.05),
        ),
    )
        .prop_map(
            |(
                (incident, category, visibility),
                (severity, status, nations),
                (team, detail, inject, bad_text),
            )| Op::Open {
                incident,
                category,
                visibility,
                severity,
                status,
                nations,
                team,
                detail,
                inject,
                bad_text,
            },
        );
    let update = (
        (
            incident(),
            prop::option::weighted(0.6, select(IncidentStatus::ALL)),
            prop::option::weighted(0.3, select(Severity::ALL)),
        ),
        (
            any::<bool>(),
            prop::option::weighted(0.15, nation_list()),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
        ),
        (prop::bool::weighted(0.35), prop::bool::weighted(0.05)),
    )
        .prop_map(
            |((incident, status, severity), (note, nations, team, summary), (detail, bad_text))| {
                Op::Update {
                    incident,
                    status,
                    severity,
                    note,
                    nations,
                    team,
                    summary,
                    detail,
                    bad_text,
                }
            },
        );
    // A change of restricted detail alone: redaction drops it for the public.
    let detail_only = incident().prop_map(|incident| Op::Update {
        incident,
        status: None,
        severity: None,
        note: false,
        nations: None,
        team: false,
        summary: false,
        detail: true,
        bad_text: false,
    });
    let response =
        (incident(), nation(), select(Milestone::ALL)).prop_map(|(incident, nation, milestone)| {
            Op::Response {
                incident,
                nation,
                milestone,
            }
        });
    prop_oneof![
        1 => exercise,
        2 => phase,
        2 => join(),
        3 => status,
        1 => participants,
        8 => open,
        7 => update,
        2 => detail_only,
        5 => response,
        1 => hold,
        1 => Just(Op::Resume),
        1 => skip,
        1 => (0u32..4, any::<bool>()).prop_map(|(screen, unpair)| Op::Pair { screen, unpair }),
        1 => (prop::option::of(0u32..4), any::<bool>()).prop_map(|(screen, clear)| Op::Slide { screen, clear }),
        1 => prop::option::of(0u32..4).prop_map(|screen| Op::Settings { screen }),
        1 => any::<bool>().prop_map(|on| Op::Safe { on }),
    ]
}

/// A sequence of operations, each with the seconds since the previous one:
/// a few nations join, then anything happens.
pub fn ops() -> impl Strategy<Value = Vec<(Op, i64)>> {
    let gap = || prop_oneof![1 => Just(0i64), 9 => 1i64..7200];
    (
        prop::collection::vec((join(), gap()), 1..5),
        prop::collection::vec((op(), gap()), 0..80),
    )
        .prop_map(|(mut joins, ops)| {
            joins.extend(ops);
            joins
        })
}

/// Builds texts, marking the restricted ones.
#[derive(Default)]
struct Texts {
    next: u64,
}

impl Texts {
    fn text(&mut self, restricted: bool, what: &str) -> String {
        self.next += 1;
        if restricted {
            format!("{MARKER}{}-{what}", self.next)
        } else {
            format!("public {what} {}", self.next)
        }
    }
}

/// Pool indices name nations and incidents. To keep most events valid, an
/// index below the pool's last usually names a nation that has joined (or an
/// incident that exists) in `state`; indices past that name pool entries
/// that may not exist yet, and the last names an invalid one.
fn nation_code(index: usize, state: &State) -> String {
    match state.nations.len() {
        joined if joined > 0 && index < 4 => state.nations[index % joined].code.clone(),
        _ => NATIONS[index].into(),
    }
}

/// Nation codes for a list, without repeats (mapping indices to joined
/// nations would otherwise repeat them often; `state.rs` tests repeats).
fn codes(nations: &[usize], state: &State) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for &index in nations {
        let code = nation_code(index, state);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn incident_id(index: usize, state: &State) -> String {
    match state.incidents.len() {
        open if open > 0 && index < 8 => state.incidents[index % open].id.clone(),
        _ => INCIDENTS[index].into(),
    }
}

/// The event body for `op` in `state` (which tells whether an update
/// concerns a restricted incident, and so how to label its texts).
fn build(op: &Op, state: &State, texts: &mut Texts, base: DateTime<Utc>) -> EventBody {
    match op.clone() {
        Op::Exercise {
            name,
            edition,
            startex,
            endex,
            speed,
        } => EventBody::ExerciseUpdated(ExerciseUpdated {
            name: name.then(|| texts.text(false, "exercise")),
            edition: edition.then(|| texts.text(false, "edition")),
            organiser: None,
            startex: startex.map(|hours| base + Duration::hours(hours)),
            endex: endex.map(|hours| base + Duration::hours(hours)),
            speed,
        }),
        Op::Phase { phase, reason } => EventBody::PhaseChanged(PhaseChanged {
            phase,
            reason: reason.then(|| texts.text(true, "reason")),
        }),
        Op::Hold { reason } => EventBody::ScenarioHeld(ScenarioHeld {
            reason: reason.then(|| texts.text(true, "hold")),
        }),
        Op::Resume => EventBody::ScenarioResumed(ScenarioResumed {}),
        Op::Skip { note, .. } => EventBody::ScenarioSkipped(ScenarioSkipped {
            note: note.then(|| texts.text(true, "skip")),
        }),
        Op::Pair {
            screen,
            unpair: false,
        } => EventBody::ScreenPaired(watchfloor_model::screens::ScreenPaired {
            screen,
            name: texts.text(true, "screen"),
        }),
        Op::Pair {
            screen,
            unpair: true,
        } => EventBody::ScreenUnpaired(watchfloor_model::screens::ScreenUnpaired { screen }),
        Op::Slide {
            screen,
            clear: false,
        } => EventBody::ScreenSlide(watchfloor_model::screens::ScreenSlide {
            screens: screen.into_iter().collect(),
            title: texts.text(true, "slide"),
            text: texts.text(true, "slide-text"),
            seconds: Some(60),
        }),
        Op::Slide {
            screen,
            clear: true,
        } => EventBody::ScreenSlideCleared(watchfloor_model::screens::ScreenSlideCleared {
            screens: screen.into_iter().collect(),
        }),
        Op::Settings { screen } => {
            EventBody::ScreenSettings(watchfloor_model::screens::ScreenSettings {
                screens: screen.into_iter().collect(),
                query: Some(texts.text(true, "query")),
            })
        }
        Op::Safe { on } => EventBody::SafeSlide(watchfloor_model::screens::SafeSlide { on }),
        Op::Join {
            nation,
            kind,
            participants,
            teams,
        } => EventBody::NationJoined(NationJoined {
            code: NATIONS[nation].into(),
            name: texts.text(false, "nation"),
            kind,
            participants,
            teams,
        }),
        Op::Status { nation, status } => EventBody::NationStatus(NationStatusChanged {
            code: nation_code(nation, state),
            status,
        }),
        Op::Participants {
            nation,
            participants,
            teams,
        } => EventBody::NationParticipants(NationParticipants {
            code: nation_code(nation, state),
            participants,
            teams,
        }),
        Op::Open {
            incident,
            category,
            visibility,
            severity,
            status,
            nations,
            team,
            detail,
            inject,
            bad_text,
        } => {
            let restricted = visibility == Visibility::Restricted;
            let mut title = texts.text(restricted, "title");
            if bad_text {
                title.push('\u{7}');
            }
            EventBody::IncidentOpened(IncidentOpened {
                id: INCIDENTS[incident].into(),
                title,
                category: CATEGORIES[category].into(),
                severity,
                status,
                nations: codes(&nations, state),
                team: team.then(|| texts.text(restricted, "team")),
                summary: texts.text(restricted, "summary"),
                detail: detail.then(|| texts.text(true, "detail")),
                visibility,
                inject: inject.then(|| Inject {
                    id: format!("INJ-{incident}"),
                    planned_at: None,
                }),
            })
        }
        Op::Update {
            incident,
            status,
            severity,
            note,
            nations,
            team,
            summary,
            detail,
            bad_text,
        } => {
            let id = incident_id(incident, state);
            let restricted =
                state.incident(&id).map(|incident| incident.visibility) != Some(Visibility::Public);
            let mut note = note.then(|| texts.text(restricted, "note"));
            let mut detail = detail.then(|| texts.text(true, "detail"));
            if bad_text {
                match (&mut note, &mut detail) {
                    (Some(note), _) => note.push('\u{1b}'),
                    (None, Some(detail)) => detail.push('\u{1b}'),
                    (None, None) => note = Some("\u{0}".into()),
                }
            }
            EventBody::IncidentUpdated(IncidentUpdated {
                id,
                // A title change rides along with a summary change.
                title: summary.then(|| texts.text(restricted, "title")),
                status,
                severity,
                note,
                nations: nations.map(|nations| codes(&nations, state)),
                team: team.then(|| texts.text(restricted, "team")),
                summary: summary.then(|| texts.text(restricted, "summary")),
                detail,
            })
        }
        Op::Response {
            incident,
            nation,
            milestone,
        } => {
            let id = incident_id(incident, state);
            // Usually one of the incident's own nations.
            let code = match state.incident(&id).map(|incident| &incident.nations) {
                Some(nations) if !nations.is_empty() && nation < 4 => {
                    nations[nation % nations.len()].clone()
                }
                _ => nation_code(nation, state),
            };
            EventBody::NationResponse(NationResponseRecorded {
                id,
                code,
                milestone,
            })
        }
    }
}

/// One accepted event, with what it looked like for the public.
pub struct Step {
    pub event: Event,
    /// Its visibility, computed from the state before it was applied.
    pub visibility: Visibility,
    /// `redact::event(event, visibility, Public)`.
    pub public: Option<Event>,
    /// The full state after it.
    pub full: State,
}

/// A sequence folded the way the server folds it.
pub struct Run {
    pub steps: Vec<Step>,
    /// How many operations the reducer refused.
    pub refused: usize,
    /// The codes of the refusals.
    pub refusals: Vec<String>,
}

pub fn base() -> DateTime<Utc> {
    "2026-11-23T08:00:00Z".parse().expect("base time")
}

/// Folds `ops` into a full state as the server does: build each event,
/// compute its visibility before applying it, apply it (skipping refusals;
/// refused events get no seq), and redact it for the public.
pub fn run(ops: &[(Op, i64)]) -> Run {
    let base = base();
    let mut texts = Texts::default();
    let mut state = State::default();
    let mut at = base;
    let mut steps = Vec::new();
    let mut refused = 0;
    let mut refusals = Vec::new();
    for index in 0..=ops.len() {
        let body = match index {
            // The first event names the exercise, as the first one must.
            0 => EventBody::ExerciseUpdated(ExerciseUpdated {
                name: Some("Cyber Coalition".into()),
                ..ExerciseUpdated::default()
            }),
            _ => {
                let (op, gap) = &ops[index - 1];
                at += Duration::seconds(*gap);
                build(op, &state, &mut texts, base)
            }
        };
        let visibility = state.visibility_of(&body);
        // Who posted it (restricted), and the scenario entry it plays: a
        // skip names its entry, and every fourth other event is scripted
        // (so entries are played, fired and skipped in any order, and some
        // twice: refused).
        let by = (index % 3 == 1).then(|| texts.text(true, "by"));
        let entry = match ops.get(index.wrapping_sub(1)) {
            Some((Op::Skip { entry, .. }, _)) => Some(*entry),
            Some((Op::Hold { .. } | Op::Resume, _)) => None,
            _ if index % 4 == 2 => Some((index as u32 * 7) % 16),
            _ => None,
        };
        let event = Event {
            by,
            entry,
            seq: state.seq + 1,
            at,
            body,
        };
        if let Err(error) = state.apply(&event) {
            refused += 1;
            refusals.push(error.code);
            continue;
        }
        let public = redact::event(&event, visibility, Audience::Public);
        steps.push(Step {
            event,
            visibility,
            public,
            full: state.clone(),
        });
    }
    Run {
        steps,
        refused,
        refusals,
    }
}

/// `state` with its seq set to 0, for comparing states whose seqs differ
/// only because a public reader never sees the restricted events.
pub fn without_seq(state: &State) -> State {
    let mut state = state.clone();
    state.seq = 0;
    state
}
