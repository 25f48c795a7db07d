//! The built-in demo scenario, `scenarios/cyber-coalition.json`, modelled on
//! NATO's Cyber Coalition: about thirty Allies, Partner nations and
//! organisations with about 1,000 defenders, five days of execution, and some
//! 180 scripted incidents across the threat kinds the exercise is known for.
//!
//! The script is generated, not hand-written, so that it can be big and
//! consistent: [`generate`] is deterministic (a fixed seed and a splitmix64
//! generator of our own), and a test checks that the committed file is exactly
//! its output. Change the generator, then run `cargo xtask demo-scenario`.
//!
//! Times are offsets from STARTEX in exercise time. The script assumes STARTEX
//! at 08:00Z (as `Scenario::check` does), so the daily rhythm — busy from
//! 07:00Z to 19:00Z, quiet at night — lines up with the exercise clock.
//! Everything fictional: addresses come from the documentation ranges
//! (RFC 5737), domains end in `.example` or `.test`, malware names are made up.

use std::collections::BTreeMap;
use std::path::Path;

use watchfloor_model::event::{
    EventBody, ExerciseUpdated, IncidentOpened, IncidentUpdated, NationJoined, NationParticipants,
    NationResponseRecorded, NationStatusChanged, PhaseChanged,
};
use watchfloor_model::scenario::Entry;
use watchfloor_model::types::{
    ConnectionStatus, IncidentStatus, Inject, Milestone, NationKind, Phase, Severity, Visibility,
};

/// Where the file lives, relative to the workspace root.
pub const PATH: &str = "scenarios/cyber-coalition.json";

const NAME: &str = "Cyber Coalition 26";
const SEED: u64 = 0xC0A1_1710_2026_0026;
const INCIDENTS: usize = 180;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// STARTEX to ENDEX, exercise time.
const DURATION: i64 = 5 * DAY;
/// The demo joins the script here (exercise day 3, 14:00Z).
const START_AT: i64 = 2 * DAY + 6 * HOUR;
/// A planned network maintenance window on day 4, 12:30Z to 12:50Z: the
/// exercise is paused and nothing else happens.
const PAUSE_AT: i64 = 3 * DAY + 4 * HOUR + 30 * MINUTE;
const PAUSE_FOR: i64 = 20 * MINUTE;
/// Exercise time excluding the pause. Everything but the filler check-ins is
/// generated on this clock and then moved past the pause by [`wall`].
const ACTIVE: i64 = DURATION - PAUSE_FOR;
/// The clock hour at offset 0.
const STARTEX_HOUR: i64 = 8;

/// The scenario file's text.
pub fn generate() -> String {
    let mut generator = Generator::new();
    let entries = generator.entries();
    let mut text = String::new();
    text.push_str("{\n");
    text.push_str(&format!("  \"name\": {},\n", json_string(NAME)));
    text.push_str(&format!("  \"duration\": \"{}\",\n", offset(DURATION)));
    text.push_str(&format!("  \"start_at\": \"{}\",\n", offset(START_AT)));
    text.push_str("  \"entries\": [\n");
    for (index, entry) in entries.iter().enumerate() {
        let line = serde_json::to_string(entry).expect("entries serialise");
        // The player cannot know the wall time of an inject: leave it out
        // rather than spell out a null on every incident.
        let line = line.replace(",\"planned_at\":null", "");
        text.push_str("    ");
        text.push_str(&line);
        if index + 1 < entries.len() {
            text.push(',');
        }
        text.push('\n');
    }
    text.push_str("  ]\n}\n");
    text
}

/// Writes [`generate`]'s text to `scenarios/cyber-coalition.json` under `root`.
pub fn write(root: &Path) -> std::io::Result<()> {
    let path = root.join(PATH);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = generate();
    std::fs::write(&path, &text)?;
    println!("wrote {} ({} bytes)", path.display(), text.len());
    Ok(())
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

/// `2d4h30m`, `45s`, `0s`.
fn offset(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let parts = [
        (seconds / DAY, "d"),
        (seconds % DAY / HOUR, "h"),
        (seconds % HOUR / MINUTE, "m"),
        (seconds % MINUTE, "s"),
    ];
    let mut text = String::new();
    for (count, unit) in parts {
        if count > 0 {
            text.push_str(&format!("{count}{unit}"));
        }
    }
    text
}

/// Active exercise time to script time: after the pause, later by its length.
fn wall(active: i64) -> i64 {
    if active >= PAUSE_AT {
        active + PAUSE_FOR
    } else {
        active
    }
}

// ---------------------------------------------------------------------------
// A small deterministic generator: splitmix64.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given (non-negative) weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }

    fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from_digit(self.below(16) as u32, 16).expect("hex digit"))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Participants.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    NorthernBaltic,
    Central,
    SouthEast,
    Western,
    NorthAmerica,
    IndoPacific,
    Eastern,
    /// Organisations: no neighbours.
    Global,
}

struct NationSpec {
    code: &'static str,
    name: &'static str,
    /// The name as it reads mid-sentence ("the Netherlands").
    prose: &'static str,
    kind: NationKind,
    participants: u32,
    teams: u32,
    region: Region,
}

const fn nation(
    code: &'static str,
    name: &'static str,
    prose: &'static str,
    kind: NationKind,
    participants: u32,
    teams: u32,
    region: Region,
) -> NationSpec {
    NationSpec {
        code,
        name,
        prose,
        kind,
        participants,
        teams,
        region,
    }
}

use NationKind::{Ally, Organisation, Partner};
use Region::{
    Central, Eastern, Global, IndoPacific, NorthAmerica, NorthernBaltic, SouthEast, Western,
};

/// In order of connecting on day 1: the organisations and the host first.
#[rustfmt::skip]
const NATIONS: &[NationSpec] = &[
    nation("NCIRC", "NATO CIRC Technical Centre", "the NATO CIRC Technical Centre", Organisation, 36, 4, Global),
    nation("EST", "Estonia", "Estonia", Ally, 56, 6, NorthernBaltic),
    nation("EU-CDS", "EU Cyber Defence Staff", "the EU Cyber Defence Staff", Organisation, 12, 2, Global),
    nation("CERT-EU", "CERT-EU", "CERT-EU", Organisation, 8, 1, Global),
    nation("USA", "United States", "the United States", Ally, 64, 7, NorthAmerica),
    nation("GBR", "United Kingdom", "the United Kingdom", Ally, 50, 6, Western),
    nation("DEU", "Germany", "Germany", Ally, 46, 5, Central),
    nation("FRA", "France", "France", Ally, 44, 5, Western),
    nation("POL", "Poland", "Poland", Ally, 38, 4, Central),
    nation("NLD", "Netherlands", "the Netherlands", Ally, 32, 4, Western),
    nation("ITA", "Italy", "Italy", Ally, 36, 4, Western),
    nation("CAN", "Canada", "Canada", Ally, 32, 4, NorthAmerica),
    nation("ESP", "Spain", "Spain", Ally, 30, 3, Western),
    nation("FIN", "Finland", "Finland", Ally, 30, 4, NorthernBaltic),
    nation("SWE", "Sweden", "Sweden", Ally, 28, 3, NorthernBaltic),
    nation("NOR", "Norway", "Norway", Ally, 30, 3, NorthernBaltic),
    nation("DNK", "Denmark", "Denmark", Ally, 26, 3, NorthernBaltic),
    nation("LVA", "Latvia", "Latvia", Ally, 24, 3, NorthernBaltic),
    nation("LTU", "Lithuania", "Lithuania", Ally, 24, 3, NorthernBaltic),
    nation("BEL", "Belgium", "Belgium", Ally, 26, 3, Western),
    nation("CZE", "Czechia", "Czechia", Ally, 28, 3, Central),
    nation("TUR", "Türkiye", "Türkiye", Ally, 28, 3, SouthEast),
    nation("ROU", "Romania", "Romania", Ally, 26, 3, SouthEast),
    nation("GRC", "Greece", "Greece", Ally, 22, 3, SouthEast),
    nation("PRT", "Portugal", "Portugal", Ally, 20, 2, Western),
    nation("HUN", "Hungary", "Hungary", Ally, 20, 2, Central),
    nation("BGR", "Bulgaria", "Bulgaria", Ally, 18, 2, SouthEast),
    nation("SVK", "Slovakia", "Slovakia", Ally, 16, 2, Central),
    nation("HRV", "Croatia", "Croatia", Ally, 16, 2, SouthEast),
    nation("SVN", "Slovenia", "Slovenia", Ally, 12, 2, SouthEast),
    nation("ALB", "Albania", "Albania", Ally, 12, 2, SouthEast),
    nation("MKD", "North Macedonia", "North Macedonia", Ally, 10, 1, SouthEast),
    nation("MNE", "Montenegro", "Montenegro", Ally, 8, 1, SouthEast),
    nation("AUT", "Austria", "Austria", Partner, 14, 2, Central),
    nation("CHE", "Switzerland", "Switzerland", Partner, 16, 2, Western),
    nation("IRL", "Ireland", "Ireland", Partner, 10, 1, Western),
    nation("UKR", "Ukraine", "Ukraine", Partner, 24, 3, Eastern),
    nation("GEO", "Georgia", "Georgia", Partner, 8, 1, Eastern),
    nation("JPN", "Japan", "Japan", Partner, 18, 2, IndoPacific),
    nation("KOR", "Republic of Korea", "the Republic of Korea", Partner, 16, 2, IndoPacific),
];

// ---------------------------------------------------------------------------
// Incident material. Placeholders in braces are filled per incident and stay
// the same within one incident (see `Generator::fill`).

struct Category {
    slug: &'static str,
    weight: f64,
    /// The share released to the press.
    public: f64,
    /// Weights of low, medium, high, critical.
    severity: [f64; 4],
    titles: &'static [&'static str],
    summaries: &'static [&'static str],
    /// Restricted detail, in the order of the titles it goes with: title `i`
    /// takes `details[i * details.len() / titles.len()]`.
    details: &'static [&'static str],
    /// What containment looked like, besides the generic notes.
    contain: &'static [&'static str],
    /// Restricted detail that comes in later.
    updates: &'static [&'static str],
}

const TECH_UPDATES: &[&str] = &[
    "Additional C2 server {ip2} observed; blocklists updated on all range firewalls.",
    "YARA rule WF_{implant}_V2 distributed to all teams via MISP event {wsnum}.",
    "Second-stage payload recovered from {host} (SHA-256 prefix {hash16}); same build as the first.",
    "Lateral movement over WMI from {host} to {ip2} confirmed in EDR telemetry.",
    "Sinkhole for {domain} active; {count} connection attempts logged from {beacons} range hosts.",
    "Scheduled task 'OneDriveSync{wsnum}' used for persistence; removal script shared with all teams.",
];

const CATEGORIES: &[Category] = &[
    Category {
        slug: "classified_network_breach",
        weight: 14.0,
        public: 0.4,
        severity: [0.5, 2.5, 4.5, 2.5],
        titles: &[
            "Breach attempt on the classified mission network in {nation}",
            "Password spraying against the SECRET enclave VPN gateway in {nation}",
            "Attempted cross-domain transfer through the guard in {nation}",
            "Phishing foothold pivoting towards a classified segment in {nation}",
            "Privilege escalation attempt on classified file servers in {nation}",
            "Rogue administrator session on the mission secret domain of {nation}",
        ],
        summaries: &[
            "Defenders in {nations} spotted an attempt to break into a simulated classified network and are working with NATO's incident response centre to keep the intruders out.",
            "A simulated adversary tried to gain access to a classified network used by {nations}. No real classified information was at risk: the network is part of the exercise range.",
            "Teams from {nations} are responding to a scripted intrusion attempt against a protected network, one of the exercise's core scenarios.",
        ],
        details: &[
            "Source {ip} (JA3 {ja3}) made {count} failed logins across {accounts} accounts on {host} in {mins} min, then one success for svc-backup. Implant {implant} beacons every {beacon}s to {domain}. SHA-256 {hash}.",
            "Guard log shows {count} rejected transfers from low-side {ip} labelled as map overlays; payload is a PDF with an embedded {implant} loader (SHA-256 {hash}). Staging share \\\\{host}\\drop$.",
            "Kerberoasting of 3 service accounts from workstation WS-{wsnum} ({ip2}); cracked hash later tried against {host}. C2 over HTTPS to {domain} ({ip}), beacon {beacon}s.",
        ],
        contain: &[
            "Enclave gateway locked down; only whitelisted hosts may connect",
            "Compromised service account disabled and Kerberos keys rotated",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "critical_infrastructure_disruption",
        weight: 14.0,
        public: 0.6,
        severity: [0.5, 3.0, 4.0, 2.5],
        titles: &[
            "Tampered PLC logic at a simulated {sector} site in {nation}",
            "Loss of telemetry from a {sector} control centre in {nation}",
            "Disruption of {system} serving the {sector} in {nation}",
            "Outage of {system} affecting the {sector} in {nation}",
            "Wiper activity on operator consoles of the {sector} in {nation}",
        ],
        summaries: &[
            "A simulated attack disrupted communications for the {sector} in {nations}. Defenders are restoring the links and checking that the systems behind them were not tampered with.",
            "Exercise players in {nations} are responding to a scripted disruption of the communications that critical infrastructure depends on.",
            "Defenders are working to restore {system} on the exercise range after a simulated cyber attack affecting {nations}.",
        ],
        details: &[
            "Modbus/TCP writes from {ip} to RTU-{wsnum} changed setpoints on {accounts} registers; HMI at {host} shows stale values. Firmware hash mismatch {hash}. Engineering workstation ran a {implant} dropper.",
            "BGP session flaps on the range backbone after a forged route from AS64{asn}; {count} prefixes withdrawn for {mins} min. Management plane accessed from {ip}.",
            "{implant} wiper hit {accounts} operator consoles on {host}; MBR overwritten, scheduled task 'SysHealth' pushed by GPO from {ip2}. Backup restore point confirmed clean.",
        ],
        contain: &[
            "Control centre switched to manual operation; links restored over the backup path",
            "Forged routes filtered and management plane restricted to the out-of-band network",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "mobile_app_espionage",
        weight: 12.0,
        public: 0.5,
        severity: [1.0, 4.0, 3.5, 1.5],
        titles: &[
            "Trojanised {app} leaking locations of deployed personnel from {nation}",
            "Malicious update of a {app} harvesting contacts in {nation}",
            "Espionage through a trojanised {app} on staff smartphones in {nation}",
            "Spyware in a {app} recording meetings of staff in {nation}",
        ],
        summaries: &[
            "Defenders in {nations} found a smartphone application spying on its users during the exercise. Affected phones on the exercise network are being checked and cleaned.",
            "A simulated espionage campaign used a mobile app to collect data from exercise participants in {nations}. Teams are tracing what was taken.",
        ],
        details: &[
            "APK com.{pkgname} v{ver} signed with untrusted certificate {hash16}; requests ACCESS_FINE_LOCATION and READ_CONTACTS; posts every {beacon}s to https://{domain}/api/v2/sync ({ip}). {accounts} devices in the range MDM affected.",
            "Configuration profile installs a per-app VPN to {ip}; traffic proxied through {domain}. {implant} module harvests calendar entries and microphone snippets. {accounts} devices, first seen on {host}.",
        ],
        contain: &[
            "App blocked in the mobile device management and removed from affected phones",
            "Affected phones quarantined from the exercise network pending a wipe",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "ransomware",
        weight: 10.0,
        public: 0.65,
        severity: [0.5, 2.5, 4.5, 2.5],
        titles: &[
            "{ransom} ransomware encrypting logistics file shares in {nation}",
            "Ransomware outbreak at a simulated military hospital in {nation}",
            "Ransom note on deployable headquarters servers in {nation}",
            "Double-extortion attempt against a simulated defence supplier in {nation}",
        ],
        summaries: &[
            "Ransomware hit systems on the exercise range used by {nations}. Defenders are isolating machines and restoring from backups; no ransom will be paid.",
            "A simulated ransomware attack has locked files on exercise systems in {nations}. Teams are practising recovery from clean backups.",
        ],
        details: &[
            "{ransom} variant (SHA-256 {hash}) deployed with PsExec from {host}; {count} hosts encrypted, extension .{ext}; note README_{ext}.txt points to {domain}. Shadow copies deleted {mins} min before encryption.",
            "Initial access through exposed RDP on {ip}; {accounts} GB staged to {ip2} before encryption. Key pair ID {hash16}; {ransom} affiliate panel at {domain}.",
        ],
        contain: &[
            "Infected segment isolated; restore from offline backups started",
            "Encryption stopped; remaining hosts protected by an emergency EDR policy",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "ddos",
        weight: 10.0,
        public: 0.85,
        severity: [2.0, 4.0, 3.0, 1.0],
        titles: &[
            "DNS amplification flood hitting resolvers in {nation}",
            "Volumetric attack on the national CERT website of {nation}",
            "DDoS against public government portals in {nation}",
            "Application-layer flood on the exercise webmail in {nation}",
        ],
        summaries: &[
            "Public websites on the exercise range in {nations} were flooded with traffic. Defenders are filtering the attack and keeping services up.",
            "A simulated denial-of-service attack targeted online services of {nations}. Traffic scrubbing is being tested as part of the exercise.",
        ],
        details: &[
            "Peak {gbps} Gbit/s UDP/53 reflection from {count} resolvers; top sources {ip}, {ip2}. Target {host}. Mitigation: RTBH on the /32, upstream scrubbing profile EX-{wsnum}.",
            "HTTP/2 rapid-reset flood ({count}k req/s) from a botnet of about {bots} range nodes; User-Agent 'Mozilla/5.0 (X11; {implant})'. Target {host}, origin {ip2}.",
        ],
        contain: &[
            "Traffic scrubbing active; services answering normally again",
            "Rate limits and geo-filters in place; attack traffic dropped at the edge",
        ],
        updates: &[
            "New attack vector: TCP SYN flood from {ip2}; scrubbing profile updated.",
            "Botnet controller traced to {domain} ({ip}); takedown request sent to the range provider.",
            "Attack volume rose to {gbps} Gbit/s for {mins} min before mitigation caught up.",
        ],
    },
    Category {
        slug: "data_exfiltration",
        weight: 9.0,
        public: 0.45,
        severity: [0.5, 3.0, 4.5, 2.0],
        titles: &[
            "Exfiltration of planning documents from a headquarters in {nation}",
            "DNS tunnelling from the logistics network of {nation}",
            "Bulk upload to a cloud storage account from systems in {nation}",
            "Staged archive of personnel records found on servers in {nation}",
        ],
        summaries: &[
            "Defenders in {nations} detected data being quietly copied out of an exercise network and are working to stop it and assess what was taken.",
            "A simulated adversary attempted to steal documents from exercise systems in {nations}. Teams are tracing the leak.",
        ],
        details: &[
            "{count} MB in TXT queries to *.{domain} over {mins} min from {host}; chunks base32-encoded, resolver {ip}. Archive plans_{ext}.7z (SHA-256 {hash}).",
            "rclone renamed svchost_.exe uploading to {domain} ({ip}); {count} files from \\\\{host}\\J5-Plans. Account svc-print-{wsnum} used.",
        ],
        contain: &[
            "Outbound channel blocked and the staging host taken offline",
            "Abused account disabled; egress restricted to the proxy",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "disinformation",
        weight: 8.0,
        public: 0.9,
        severity: [2.5, 4.5, 2.5, 0.5],
        titles: &[
            "Forged press release claiming {nation} left the exercise",
            "Bot network amplifying false blackout reports in {nation}",
            "Deepfake video of an official from {nation} circulating on social media",
            "Fake leak of exercise network diagrams attributed to {nation}",
        ],
        summaries: &[
            "A fabricated story about the exercise circulated on the range's simulated social media. Public affairs teams from {nations} are countering it with facts.",
            "Exercise players in {nations} are practising how to spot and answer a coordinated disinformation campaign.",
        ],
        details: &[
            "Fake release hosted at https://{domain}/press/{wsnum} with a copied letterhead; first shared by @{handle} via {ip}. PDF producer field names tool {implant}. Takedown request filed with the range platform.",
            "{count} accounts created in the last {days} days pushing #{hashtag}; first post from @{handle} via {ip}. Posting schedule matches one operator panel at {domain}.",
            "Video hash {hash16}; lip-sync artefacts at 00:{secs}; hosted at https://{domain}/v/{wsnum}. Shared {count} times on the simulated platform 'Chirp'.",
            "Archive diagrams_{ext}.zip (SHA-256 {hash}) posted by @{handle}; the diagrams are doctored copies of public training material. Seeded from {ip}.",
        ],
        contain: &[
            "Offending posts removed from the range platform; corrections published",
            "Official statement issued; amplifying accounts suspended",
        ],
        updates: &[
            "Second wave from {accounts} new accounts; narrative shifted to alleged data loss.",
            "Coordinated posting traced to a single operator panel at {domain} ({ip2}).",
            "Hashtag #{hashtag} trending in the simulated platform for {mins} min before takedown.",
        ],
    },
    Category {
        slug: "phishing",
        weight: 11.0,
        public: 0.7,
        severity: [2.5, 4.5, 2.5, 0.5],
        titles: &[
            "Spear-phishing wave impersonating NATO HR against staff in {nation}",
            "Malicious calendar invites sent to liaison officers from {nation}",
            "QR-code phishing targeting the ministry of defence of {nation}",
            "Credential-harvesting portal mimicking the exercise webmail in {nation}",
        ],
        summaries: &[
            "Staff in {nations} received convincing fake emails designed to steal passwords. Defenders blocked the messages and are checking who clicked.",
            "A simulated phishing campaign targeted exercise participants in {nations}; teams are resetting exposed accounts.",
        ],
        details: &[
            "{count} emails from hr-notice@{domain} (sender IP {ip}); subject 'Updated allowance rates'; link to https://{domain}/owa/auth; {clicks} clicks, {creds} credentials submitted. Attachment SHA-256 {hash}.",
            "QR codes in PDF lead to {domain} (hosted on {ip}); kit mimics the webmail login and relays MFA through an adversary-in-the-middle proxy; {clicks} users affected.",
        ],
        contain: &[
            "Messages purged from mailboxes; exposed passwords reset",
            "Phishing domain blocked at the proxy and reported for takedown",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "supply_chain",
        weight: 6.0,
        public: 0.55,
        severity: [0.5, 2.5, 4.5, 2.5],
        titles: &[
            "Compromised update from {vendor} reaching networks in {nation}",
            "Backdoored firmware on routers delivered to {nation}",
            "Malicious build plugin found in a software factory in {nation}",
        ],
        summaries: &[
            "A trusted software update turned out to be tampered with in the exercise scenario. Defenders in {nations} are finding and removing it.",
            "Exercise players in {nations} are tracing a simulated supply-chain compromise back to its source.",
        ],
        details: &[
            "Signed package {pkgname}-{ver}.msi (SHA-256 {hash}) side-loads a {implant} DLL; beacons to {domain} after a {beacon}s sleep. {count} installs across the range.",
            "Firmware image {ver} for edge routers differs from the vendor's published hash ({hash16}); hidden SSH listener on port 2{wsnum}, reachable from {ip}. {accounts} routers on {host} affected.",
            "CI plugin fmt-helper {ver} sends environment variables to {ip}; {accounts} pipelines affected on {host}. Signing keys possibly exposed.",
        ],
        contain: &[
            "Update channel frozen and the tampered package pulled from all mirrors",
            "Affected build agents rebuilt; signing keys revoked and reissued",
        ],
        updates: TECH_UPDATES,
    },
    Category {
        slug: "insider_threat",
        weight: 6.0,
        public: 0.3,
        severity: [1.0, 3.5, 4.0, 1.5],
        titles: &[
            "Unusual bulk downloads by a privileged account in {nation}",
            "Rogue USB device on the operations floor in {nation}",
            "Contractor account accessing systems outside its role in {nation}",
        ],
        summaries: &[
            "Defenders in {nations} are investigating unusual activity by an account with legitimate access, part of a scripted insider scenario.",
            "An exercise scenario simulates a trusted insider misusing access; teams in {nations} are practising the response.",
        ],
        details: &[
            "Account adm-{user} pulled {count} documents from {host} between 02:10Z and 02:40Z; DLP rule EX-{wsnum} fired; USB VID:PID {vid}:{pid}.",
            "Badge log and VPN log disagree for contractor {user}: session from {ip} while the badge shows on site; {count} SharePoint items viewed.",
        ],
        contain: &[
            "Account suspended and access reviewed with security officers",
            "Device seized; USB ports locked by policy on the floor",
        ],
        updates: &[
            "Second account linked to {user} found; {count} further items accessed.",
            "Personal cloud sync client found on {host}; upload volume {accounts} MB.",
        ],
    },
];

const REPORTED_NOTES: &[&str] = &[
    "Reported to NCIRC CC through the exercise portal",
    "National CERT informed; initial incident report filed",
    "Report shared with the points of contact of {nations}",
    "Exercise control acknowledged the first report",
];
const ANALYSING_NOTES: &[&str] = &[
    "Analysts collecting logs and disk images",
    "Sample sent to the NCIRC lab for analysis",
    "Cross-checking indicators shared on MISP",
    "Joint analysis cell formed with {nations}",
    "Threat hunting across the range under way",
];
const CONTAINED_NOTES: &[&str] = &[
    "Affected systems isolated from the network",
    "Malicious infrastructure blocked at the perimeter",
    "Compromised accounts disabled and credentials rotated",
];
const RESOLVED_NOTES: &[&str] = &[
    "Systems rebuilt from clean images and back in service",
    "No recurrence after monitoring; incident closed",
    "Closed; lessons identified recorded for the hot wash",
    "Root cause fixed and verified by exercise control",
];
const ESCALATION_NOTES: &[&str] = &[
    "Severity raised: activity spreading to further systems",
    "Severity raised: impact on mission services confirmed",
    "Severity raised after a second intrusion path was found",
];
const FAILURE_NOTES: &[&str] = &[
    "Containment failed: activity reappeared on a cleaned host",
    "Containment failed: adversary switched to backup infrastructure",
    "Containment failed: a second compromised account was found",
];
const RECONTAINED_NOTES: &[&str] = &[
    "Contained again after a second sweep of the network",
    "Backup infrastructure blocked; no further activity seen",
];
const RESOLVED_SUMMARY: &str =
    " Update: the incident has been resolved and the affected services are back to normal.";

const IMPLANTS: &[&str] = &[
    "GLASSFERN",
    "COLDHARBOUR",
    "TIDEWALK",
    "MOSSLIGHT",
    "IRONQUILL",
    "PALEWREN",
    "DUSKRELAY",
    "SALTMARSH",
    "NIGHTLOOM",
    "GREYCAIRN",
];
const RANSOM: &[&str] = &["LOCKWEAVER", "EMBERLOCK", "SILENTVAULT", "FROSTBITE-X"];
const DOMAINS: &[&str] = &[
    "cdn-sync.example",
    "update-check.example.net",
    "secure-login-portal.example.org",
    "telemetry-api.example.com",
    "weatherwidget.example",
    "files-notify.example.net",
    "newsdesk-daily.example.org",
    "static-assets.example",
    "mdm-enrol.example.com",
    "hr-portal.example.net",
];
const HOST_ROLES: &[&str] = &[
    "fs", "dc", "mail", "vpn-gw", "hmi", "app", "web", "sql", "ews",
];
const APPS: &[&str] = &[
    "fitness-tracking app",
    "weather app",
    "parking-payment app",
    "QR-code scanner",
    "battery-saver app",
    "messenger clone",
    "unit-roster app",
    "conference app",
];
const PACKAGES: &[&str] = &[
    "fitpulse.tracker",
    "skycast.weather",
    "parkeasy.pay",
    "qrscan.pro",
    "battery.boost",
    "chatline.lite",
    "rosterly.units",
    "confhub.events",
];
const SECTORS: &[&str] = &[
    "power grid",
    "port authority",
    "rail signalling network",
    "air navigation service",
    "water utility",
    "gas transmission network",
    "satellite ground station",
    "emergency services",
];
const SYSTEMS: &[&str] = &[
    "the SCADA telemetry links",
    "the emergency radio backbone",
    "the VSAT terminals",
    "the fibre backbone between two control centres",
    "the mobile core network",
    "the GNSS timing servers",
];
const VENDORS: &[&str] = &[
    "a network-monitoring vendor",
    "a logistics software supplier",
    "a facilities-management contractor",
    "a router vendor's update server",
    "a document-viewer publisher",
];
const EXTENSIONS: &[&str] = &["lockw", "embr", "vlt9", "frzn"];
const HASHTAGS: &[&str] = &[
    "ExerciseLeak",
    "BlackoutNow",
    "CoalitionCancelled",
    "TruthAboutCC26",
];
const HANDLES: &[&str] = &[
    "grey_owl_77",
    "newsflash_now",
    "truth_seeker_x",
    "baltic_insider",
];
const USERS: &[&str] = &[
    "bkowal", "jmeyer", "arossi", "mnovak", "klarsen", "pdupont", "ssilva",
];

// ---------------------------------------------------------------------------
// The generator.

/// One scripted event before ordering: its time (active clock, see
/// [`wall`]), a class that orders simultaneous events (exercise, nations,
/// incidents) and the order of generation.
struct Item {
    at: i64,
    class: u8,
    order: usize,
    body: EventBody,
}

/// Per-incident text: the fixed fill of each placeholder.
struct Fill {
    values: BTreeMap<String, String>,
    host_prefix: String,
}

struct Generator {
    rng: Rng,
    items: Vec<Item>,
    /// Each nation's response speed: a factor on its delays.
    pace: Vec<f64>,
    /// Each nation's connection changes (active clock), in time order.
    connection: Vec<Vec<(i64, ConnectionStatus)>>,
}

impl Generator {
    fn new() -> Self {
        let mut rng = Rng(SEED);
        let pace = NATIONS.iter().map(|_| 0.6 + rng.unit()).collect();
        Generator {
            rng,
            items: Vec::new(),
            pace,
            connection: vec![Vec::new(); NATIONS.len()],
        }
    }

    fn push(&mut self, at: i64, class: u8, body: EventBody) {
        let order = self.items.len();
        self.items.push(Item {
            at,
            class,
            order,
            body,
        });
    }

    fn entries(&mut self) -> Vec<Entry> {
        self.opening();
        self.outages();
        self.head_counts();
        self.incidents();
        let mut items = std::mem::take(&mut self.items);
        // Nothing scripted after ENDEX; the rest moves past the pause.
        items.retain(|item| item.at < ACTIVE);
        for item in &mut items {
            item.at = wall(item.at);
        }
        items.push(Item {
            at: PAUSE_AT,
            class: 0,
            order: usize::MAX - 2,
            body: phase(Phase::Paused),
        });
        items.push(Item {
            at: PAUSE_AT + PAUSE_FOR,
            class: 0,
            order: usize::MAX - 1,
            body: phase(Phase::Execution),
        });
        items.push(Item {
            at: DURATION,
            class: 9,
            order: usize::MAX,
            body: phase(Phase::Endex),
        });
        items.sort_by_key(|item| (item.at, item.class, item.order));
        let items = self.check_ins(items);
        items
            .into_iter()
            .map(|item| Entry {
                at: offset(item.at),
                event: item.body,
            })
            .collect()
    }

    /// STARTEX: the exercise's identity, nations connecting over the first
    /// minutes, execution.
    fn opening(&mut self) {
        self.push(
            0,
            0,
            EventBody::ExerciseUpdated(ExerciseUpdated {
                edition: Some("19th edition".into()),
                organiser: Some("NATO Allied Command Transformation".into()),
                ..ExerciseUpdated::default()
            }),
        );
        let mut at = 0;
        for (index, spec) in NATIONS.iter().enumerate() {
            self.push(
                at,
                1,
                EventBody::NationJoined(NationJoined {
                    code: spec.code.into(),
                    name: spec.name.into(),
                    kind: spec.kind,
                    participants: spec.participants,
                    teams: spec.teams,
                }),
            );
            at += if index < 4 {
                self.rng.range(5, 20)
            } else {
                self.rng.range(10, 45)
            };
            if index == 12 {
                // Most are connected: execution starts; the rest follow.
                self.push(at, 0, phase(Phase::Execution));
                at += self.rng.range(5, 30);
            }
        }
    }

    /// Nations dropping to degraded or offline for a while, then back online.
    fn outages(&mut self) {
        let mut placed = 0;
        while placed < 26 {
            let nation = self.rng.below(NATIONS.len());
            let start = self.busy_time(2 * HOUR, ACTIVE - 3 * HOUR);
            let offline = self.rng.chance(0.4);
            let mut changes = Vec::new();
            let mut at = start;
            if offline {
                changes.push((at, ConnectionStatus::Offline));
                at += self.rng.range(8 * MINUTE, 2 * HOUR);
                changes.push((at, ConnectionStatus::Degraded));
                at += self.rng.range(10 * MINUTE, 45 * MINUTE);
            } else {
                changes.push((at, ConnectionStatus::Degraded));
                at += self.rng.range(12 * MINUTE, 3 * HOUR);
            }
            changes.push((at, ConnectionStatus::Online));
            // One outage at a time per nation, with a margin.
            let clash = self.connection[nation]
                .iter()
                .any(|(time, _)| (start - 3 * HOUR..at + 3 * HOUR).contains(time));
            if clash {
                continue;
            }
            for (time, status) in &changes {
                self.push(
                    *time,
                    1,
                    EventBody::NationStatus(NationStatusChanged {
                        code: NATIONS[nation].code.into(),
                        status: *status,
                    }),
                );
            }
            self.connection[nation].extend(changes);
            self.connection[nation].sort_by_key(|(time, _)| *time);
            placed += 1;
        }
    }

    /// A nation's connection at `at` (active clock).
    fn status_at(&self, nation: usize, at: i64) -> ConnectionStatus {
        self.connection[nation]
            .iter()
            .take_while(|(time, _)| *time <= at)
            .last()
            .map(|(_, status)| *status)
            .unwrap_or(ConnectionStatus::Online)
    }

    /// The earliest time from `at` at which a nation can report: an offline
    /// nation reports a little after it is back.
    fn reachable(&mut self, nation: usize, at: i64) -> i64 {
        if self.status_at(nation, at) != ConnectionStatus::Offline {
            return at;
        }
        let back = self.connection[nation]
            .iter()
            .find(|(time, status)| *time > at && *status != ConnectionStatus::Offline)
            .map(|(time, _)| *time)
            .unwrap_or(at);
        back + self.rng.range(2 * MINUTE, 12 * MINUTE)
    }

    /// Shift changes: a nation's head count goes up or down a little.
    fn head_counts(&mut self) {
        let mut counts: Vec<(u32, u32)> = NATIONS
            .iter()
            .map(|spec| (spec.participants, spec.teams))
            .collect();
        let mut changes: Vec<(i64, usize, i64)> = (0..18)
            .map(|_| {
                let at = self.busy_time(3 * HOUR, ACTIVE - 2 * HOUR);
                let nation = 1 + self.rng.below(NATIONS.len() - 1);
                let delta = if self.rng.chance(0.55) {
                    self.rng.range(2, 8)
                } else {
                    -self.rng.range(2, 6)
                };
                (at, nation, delta)
            })
            .collect();
        changes.sort();
        for (at, nation, delta) in changes {
            let (participants, teams) = counts[nation];
            let participants = (participants as i64 + delta).max(4) as u32;
            let teams = if delta >= 6 {
                teams + 1
            } else if delta <= -5 && teams > 1 {
                teams - 1
            } else {
                teams
            }
            .min(participants);
            counts[nation] = (participants, teams);
            self.push(
                at,
                1,
                EventBody::NationParticipants(NationParticipants {
                    code: NATIONS[nation].code.into(),
                    participants,
                    teams,
                }),
            );
        }
    }

    /// A time in `low..high` (active clock) following the daily rhythm:
    /// mostly 07:00Z to 19:00Z, some in the evening, a few at night; busier
    /// mid-week.
    fn busy_time(&mut self, low: i64, high: i64) -> i64 {
        const DAYS: [f64; 5] = [0.8, 1.0, 1.2, 1.2, 0.8];
        loop {
            let day = self.rng.weighted(&DAYS) as i64;
            let hours: Vec<f64> = (0..24)
                .map(|hour| match hour {
                    7..=18 => 10.0,
                    19..=22 => 3.0,
                    _ => 1.0,
                })
                .collect();
            let hour = self.rng.weighted(&hours) as i64;
            let within = (hour - STARTEX_HOUR).rem_euclid(24) * HOUR + self.rng.range(0, HOUR - 1);
            let at = day * DAY + within;
            if (low..high).contains(&at) {
                return at;
            }
        }
    }

    /// The affected nations: 1 to 4, the first a country, often neighbours,
    /// now and then an organisation too.
    fn affected(&mut self) -> Vec<usize> {
        let countries: Vec<usize> = (0..NATIONS.len())
            .filter(|&index| NATIONS[index].kind != Organisation)
            .collect();
        let weights: Vec<f64> = countries
            .iter()
            .map(|&index| (NATIONS[index].participants as f64).sqrt())
            .collect();
        let count = 1 + self.rng.weighted(&[45.0, 30.0, 15.0, 10.0]);
        let first = countries[self.rng.weighted(&weights)];
        let mut chosen = vec![first];
        while chosen.len() < count {
            let neighbours: Vec<usize> = countries
                .iter()
                .copied()
                .filter(|&index| {
                    NATIONS[index].region == NATIONS[first].region && !chosen.contains(&index)
                })
                .collect();
            let next = if !neighbours.is_empty() && self.rng.chance(0.55) {
                *self.rng.pick(&neighbours)
            } else {
                countries[self.rng.weighted(&weights)]
            };
            if !chosen.contains(&next) {
                chosen.push(next);
            }
        }
        if chosen.len() < 4 && self.rng.chance(0.05) {
            let organisation = if self.rng.chance(0.5) { 0 } else { 2 };
            chosen.push(organisation);
        }
        chosen
    }

    fn team(&mut self, nation: usize) -> String {
        let spec = &NATIONS[nation];
        match spec.code {
            "NCIRC" => "NCIRC CC".into(),
            "EU-CDS" => "EU-CDS Cell".into(),
            "CERT-EU" => "CERT-EU Duty Team".into(),
            code => format!(
                "Blue Team {code}-{}",
                1 + self.rng.below(spec.teams as usize)
            ),
        }
    }

    /// Fills `{placeholders}` in `template`, keeping each one's value for the
    /// rest of the incident.
    fn fill(&mut self, template: &str, fill: &mut Fill) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("closed placeholder");
            let key = &rest[start + 1..end];
            let value = match fill.values.get(key) {
                Some(value) => value.clone(),
                None => {
                    let value = self.slot(key, &fill.host_prefix);
                    fill.values.insert(key.to_string(), value.clone());
                    value
                }
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn slot(&mut self, key: &str, host_prefix: &str) -> String {
        let rng = &mut self.rng;
        match key {
            "ip" | "ip2" => format!(
                "{}.{}",
                rng.pick(&["192.0.2", "198.51.100", "203.0.113"]),
                rng.range(2, 254)
            ),
            "domain" => rng.pick(DOMAINS).to_string(),
            "hash" => rng.hex(64),
            "hash16" => rng.hex(16),
            "ja3" => rng.hex(32),
            "implant" => rng.pick(IMPLANTS).to_string(),
            "ransom" => rng.pick(RANSOM).to_string(),
            "host" => format!(
                "{}{:02}.{host_prefix}.range.test",
                rng.pick(HOST_ROLES),
                rng.range(1, 24)
            ),
            "count" => rng.range(40, 900).to_string(),
            "accounts" => rng.range(6, 60).to_string(),
            "beacons" => rng.range(3, 30).to_string(),
            "mins" => rng.range(4, 45).to_string(),
            "beacon" => rng.pick(&[60, 120, 300, 600, 900]).to_string(),
            "wsnum" => rng.range(100, 999).to_string(),
            "asn" => rng.range(512, 999).to_string(),
            "app" => rng.pick(APPS).to_string(),
            "pkgname" => rng.pick(PACKAGES).to_string(),
            "ver" => format!(
                "{}.{}.{}",
                rng.range(1, 4),
                rng.range(0, 9),
                rng.range(0, 20)
            ),
            "sector" => rng.pick(SECTORS).to_string(),
            "system" => rng.pick(SYSTEMS).to_string(),
            "vendor" => rng.pick(VENDORS).to_string(),
            "ext" => rng.pick(EXTENSIONS).to_string(),
            "gbps" => rng.range(8, 120).to_string(),
            "bots" => rng.range(2_000, 40_000).to_string(),
            "days" => rng.range(2, 9).to_string(),
            "secs" => rng.range(10, 59).to_string(),
            "hashtag" => rng.pick(HASHTAGS).to_string(),
            "handle" => rng.pick(HANDLES).to_string(),
            "user" => rng.pick(USERS).to_string(),
            "clicks" => rng.range(3, 40).to_string(),
            "creds" => rng.range(1, 12).to_string(),
            "vid" | "pid" => rng.hex(4),
            other => panic!("unknown placeholder {{{other}}}"),
        }
    }

    fn incidents(&mut self) {
        let mut opened: Vec<i64> = (0..INCIDENTS)
            .map(|_| self.busy_time(40 * MINUTE, ACTIVE - 10 * MINUTE))
            .collect();
        opened.sort();
        for (index, at) in opened.into_iter().enumerate() {
            self.incident(index + 1, at);
        }
    }

    /// One incident's whole life, from the inject to resolution (or ENDEX).
    fn incident(&mut self, number: usize, opened_at: i64) {
        let id = format!("CC26-{number:04}");
        let weights: Vec<f64> = CATEGORIES.iter().map(|category| category.weight).collect();
        let category = &CATEGORIES[self.rng.weighted(&weights)];
        let mut severity = Severity::ALL[self.rng.weighted(&category.severity)];
        let mut nations = self.affected();
        let visibility = if self.rng.chance(category.public) {
            Visibility::Public
        } else {
            Visibility::Restricted
        };
        let mut team = if nations.len() >= 3 && self.rng.chance(0.3) {
            "NCIRC CC".to_string()
        } else {
            self.team(nations[0])
        };
        let mut fill = Fill {
            values: BTreeMap::new(),
            host_prefix: NATIONS[nations[0]].code.to_lowercase(),
        };
        fill.values
            .insert("nation".into(), NATIONS[nations[0]].prose.into());
        fill.values.insert("nations".into(), prose_list(&nations));
        let variant = self.rng.below(category.titles.len());
        let title = self.fill(category.titles[variant], &mut fill);
        let summary = self.fill_any(category.summaries, &mut fill);
        // Details are listed in the order of the titles they go with.
        let detail = category.details[variant * category.details.len() / category.titles.len()];
        let detail = self.fill(detail, &mut fill);
        let first_status = if self.rng.chance(0.1) {
            IncidentStatus::Reported
        } else {
            IncidentStatus::Detected
        };
        self.push(
            opened_at,
            2,
            EventBody::IncidentOpened(IncidentOpened {
                id: id.clone(),
                title,
                category: category.slug.into(),
                severity,
                status: first_status,
                nations: nations
                    .iter()
                    .map(|&index| NATIONS[index].code.into())
                    .collect(),
                team: Some(team.clone()),
                summary: summary.clone(),
                detail: Some(detail.clone()),
                visibility,
                inject: Some(Inject {
                    id: format!("INJ-{number:04}"),
                    planned_at: None,
                }),
            }),
        );

        // Each nation detects and reports on its own time.
        let mut reported = Vec::new();
        for (position, &nation) in nations.clone().iter().enumerate() {
            let detected = if position == 0 {
                opened_at + self.rng.range(MINUTE, 8 * MINUTE)
            } else {
                let spread = self.rng.unit();
                let delay = 10.0 * 60.0 + spread * spread * 4.0 * 3600.0;
                opened_at + (self.pace[nation] * delay) as i64
            };
            reported.push(self.milestones_until_reported(&id, nation, detected));
        }

        // The incident's own path.
        let mut last = opened_at;
        if first_status == IncidentStatus::Detected {
            let first_report = *reported.iter().min().expect("one nation at least");
            last = first_report.max(last + 5 * MINUTE) + 30;
            let note = self.fill_any(REPORTED_NOTES, &mut fill);
            self.update(&id, last, Some(IncidentStatus::Reported), None, Some(note));
        }
        last += self.rng.range(10 * MINUTE, 90 * MINUTE);
        let analysing_from = last;
        let note = self.fill_any(ANALYSING_NOTES, &mut fill);
        self.update(&id, last, Some(IncidentStatus::Analysing), None, Some(note));

        // Now and then: it spreads to another nation, gets worse, is handed
        // over, or restricted detail comes in.
        if nations.len() < 4 && self.rng.chance(0.12) {
            let newcomer = loop {
                let candidate = self.affected()[0];
                if !nations.contains(&candidate) {
                    break candidate;
                }
            };
            last += self.rng.range(15 * MINUTE, 2 * HOUR);
            nations.push(newcomer);
            let note = format!(
                "{} reports the same activity and joins the response",
                capitalise(NATIONS[newcomer].prose)
            );
            self.push(
                last,
                2,
                EventBody::IncidentUpdated(IncidentUpdated {
                    id: id.clone(),
                    nations: Some(
                        nations
                            .iter()
                            .map(|&index| NATIONS[index].code.into())
                            .collect(),
                    ),
                    note: Some(note),
                    ..IncidentUpdated::default()
                }),
            );
            let detected =
                last + (self.pace[newcomer] * self.rng.range(5 * MINUTE, HOUR) as f64) as i64;
            reported.push(self.milestones_until_reported(&id, newcomer, detected));
        }
        if severity < Severity::Critical && self.rng.chance(0.2) {
            last += self.rng.range(20 * MINUTE, 3 * HOUR);
            severity = Severity::ALL[severity as usize + 1];
            let note = self.rng_pick(ESCALATION_NOTES).to_string();
            self.update(&id, last, None, Some(severity), Some(note));
            if team != "NCIRC CC" && self.rng.chance(0.4) {
                team = "NCIRC CC".into();
                last += self.rng.range(5 * MINUTE, 30 * MINUTE);
                self.push(
                    last,
                    2,
                    EventBody::IncidentUpdated(IncidentUpdated {
                        id: id.clone(),
                        team: Some(team.clone()),
                        note: Some("Coordination handed to NCIRC CC".into()),
                        ..IncidentUpdated::default()
                    }),
                );
            }
        }
        if self.rng.chance(0.25) {
            last += self.rng.range(20 * MINUTE, 3 * HOUR);
            let update = self.fill_any(category.updates, &mut fill);
            // A change of restricted detail only: no trace for the public.
            self.push(
                last,
                2,
                EventBody::IncidentUpdated(IncidentUpdated {
                    id: id.clone(),
                    detail: Some(format!("{detail}\nUpdate: {update}")),
                    ..IncidentUpdated::default()
                }),
            );
        }
        if opened_at >= 3 * DAY && self.rng.chance(0.2) {
            // Stalled: still under analysis at ENDEX.
            return;
        }

        // Containment: each nation, then the incident.
        let mut contained_last = last;
        for (position, &nation) in nations.clone().iter().enumerate() {
            let from = analysing_from.max(reported[position]);
            let delay = self.pace[nation] * self.rng.range(30 * MINUTE, 6 * HOUR) as f64;
            let contained = self.reachable(nation, from + delay as i64);
            self.response(&id, nation, Milestone::Contained, contained);
            contained_last = contained_last.max(contained);
        }
        last = contained_last + self.rng.range(5 * MINUTE, 25 * MINUTE);
        let notes: Vec<&str> = CONTAINED_NOTES
            .iter()
            .chain(category.contain)
            .copied()
            .collect();
        let note = self.rng_pick(&notes).to_string();
        let lowered = (severity > Severity::Low && self.rng.chance(0.25)).then(|| {
            severity = Severity::ALL[severity as usize - 1];
            severity
        });
        self.update(
            &id,
            last,
            Some(IncidentStatus::Contained),
            lowered,
            Some(note),
        );

        if self.rng.chance(0.08) {
            last += self.rng.range(30 * MINUTE, 4 * HOUR);
            let note = self.rng_pick(FAILURE_NOTES).to_string();
            self.update(&id, last, Some(IncidentStatus::Analysing), None, Some(note));
            last += self.rng.range(HOUR, 6 * HOUR);
            let note = self.rng_pick(RECONTAINED_NOTES).to_string();
            self.update(&id, last, Some(IncidentStatus::Contained), None, Some(note));
        }

        last += self.rng.range(2 * HOUR, 20 * HOUR);
        let note = self.rng_pick(RESOLVED_NOTES).to_string();
        let summary_update = (visibility == Visibility::Public && self.rng.chance(0.4))
            .then(|| format!("{summary}{RESOLVED_SUMMARY}"));
        self.push(
            last,
            2,
            EventBody::IncidentUpdated(IncidentUpdated {
                id: id.clone(),
                status: Some(IncidentStatus::Resolved),
                note: Some(note),
                summary: summary_update,
                ..IncidentUpdated::default()
            }),
        );
    }

    /// A nation's detected and reported milestones; returns when it reported.
    fn milestones_until_reported(&mut self, id: &str, nation: usize, detected: i64) -> i64 {
        let detected = self.reachable(nation, detected);
        self.response(id, nation, Milestone::Detected, detected);
        let delay = self.pace[nation] * self.rng.range(5 * MINUTE, 75 * MINUTE) as f64;
        let reported = self.reachable(nation, detected + delay as i64);
        self.response(id, nation, Milestone::Reported, reported);
        reported
    }

    fn response(&mut self, id: &str, nation: usize, milestone: Milestone, at: i64) {
        self.push(
            at,
            2,
            EventBody::NationResponse(NationResponseRecorded {
                id: id.into(),
                code: NATIONS[nation].code.into(),
                milestone,
            }),
        );
    }

    fn update(
        &mut self,
        id: &str,
        at: i64,
        status: Option<IncidentStatus>,
        severity: Option<Severity>,
        note: Option<String>,
    ) {
        self.push(
            at,
            2,
            EventBody::IncidentUpdated(IncidentUpdated {
                id: id.into(),
                status,
                severity,
                note,
                ..IncidentUpdated::default()
            }),
        );
    }

    /// One of `templates`, filled.
    fn fill_any(&mut self, templates: &[&'static str], fill: &mut Fill) -> String {
        let template = self.rng_pick(templates);
        self.fill(template, fill)
    }

    fn rng_pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.below(items.len())]
    }

    /// Fills every gap longer than a few minutes with a routine check-in
    /// from a connected nation, so that a live screen always has something
    /// changing. `items` are in script time and in order; none during the pause.
    fn check_ins(&mut self, items: Vec<Item>) -> Vec<Item> {
        let connected_from = items
            .iter()
            .filter(|item| matches!(item.body, EventBody::NationJoined(_)))
            .map(|item| item.at)
            .max()
            .unwrap_or(0);
        let mut out: Vec<Item> = Vec::with_capacity(items.len() * 5 / 4);
        let mut cursor = connected_from;
        for item in items {
            let limit = item.at.min(DURATION);
            loop {
                let gap = self.rng.range(4 * MINUTE, 7 * MINUTE);
                if limit - cursor <= gap {
                    break;
                }
                let at = cursor + self.rng.range(90, gap);
                cursor = at;
                if (PAUSE_AT..=PAUSE_AT + PAUSE_FOR).contains(&at) {
                    cursor = PAUSE_AT + PAUSE_FOR;
                    continue;
                }
                // The status of a nation, on the active clock.
                let active = if at >= PAUSE_AT + PAUSE_FOR {
                    at - PAUSE_FOR
                } else {
                    at
                };
                // Offline nations do not check in; most nations are online.
                let (nation, status) = loop {
                    let nation = self.rng.below(NATIONS.len());
                    let status = self.status_at(nation, active);
                    if status != ConnectionStatus::Offline {
                        break (nation, status);
                    }
                };
                out.push(Item {
                    at,
                    class: 1,
                    order: 0,
                    body: EventBody::NationStatus(NationStatusChanged {
                        code: NATIONS[nation].code.into(),
                        status,
                    }),
                });
            }
            cursor = cursor.max(item.at);
            out.push(item);
        }
        out
    }
}

fn phase(phase: Phase) -> EventBody {
    EventBody::PhaseChanged(PhaseChanged {
        phase,
        reason: None,
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Estonia", "Estonia and Latvia", "Estonia, Latvia and Poland".
fn prose_list(nations: &[usize]) -> String {
    let names: Vec<&str> = nations.iter().map(|&index| NATIONS[index].prose).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, Utc};
    use watchfloor_model::event::Event;
    use watchfloor_model::scenario::Scenario;
    use watchfloor_model::state::State;

    use super::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace root")
    }

    /// The scenario folded into a state, as the player would play it.
    fn played(scenario: &Scenario) -> State {
        let startex: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let mut state = State::default();
        for item in scenario.schedule(startex, 1.0).expect("schedule") {
            let event = Event {
                by: None,
                entry: None,
                seq: state.seq + 1,
                at: item.at,
                body: item.event,
            };
            state.apply(&event).expect("valid event");
        }
        state
    }

    #[test]
    fn the_committed_file_is_the_generated_one() {
        let committed = std::fs::read_to_string(root().join(PATH)).unwrap_or_default();
        assert!(
            committed == generate(),
            "{PATH} is not what the generator makes: run `cargo xtask demo-scenario`"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate(), generate());
    }

    #[test]
    fn the_scenario_is_valid_and_modelled_on_cyber_coalition() {
        let text = generate();
        let scenario = Scenario::parse(&text).expect("parses");
        let problems = scenario.check();
        assert!(
            problems.is_empty(),
            "{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(scenario.duration().unwrap(), chrono::Duration::days(5));
        assert_eq!(
            scenario.start_offset().unwrap(),
            chrono::Duration::hours(54)
        );

        let state = played(&scenario);
        let kinds = |kind: NationKind| state.nations.iter().filter(|n| n.kind == kind).count();
        assert!(
            kinds(NationKind::Ally) >= 27,
            "{} allies",
            kinds(NationKind::Ally)
        );
        assert!(kinds(NationKind::Partner) >= 3);
        assert!(kinds(NationKind::Organisation) >= 1);
        assert!(state.nation("EU-CDS").is_some() && state.nation("NCIRC").is_some());
        let participants: u32 = state.nations.iter().map(|n| n.participants).sum();
        assert!(
            (900..=1100).contains(&participants),
            "{participants} participants"
        );
        let joined: u32 = scenario
            .entries
            .iter()
            .filter_map(|entry| match &entry.event {
                EventBody::NationJoined(joined) => Some(joined.participants),
                _ => None,
            })
            .sum();
        assert!(
            (900..=1100).contains(&joined),
            "{joined} participants at STARTEX"
        );

        assert!(
            state.incidents.len() >= 150,
            "{} incidents",
            state.incidents.len()
        );
        let categories: BTreeSet<&str> = state
            .incidents
            .iter()
            .map(|i| i.category.as_str())
            .collect();
        for seed in [
            "classified_network_breach",
            "critical_infrastructure_disruption",
            "mobile_app_espionage",
        ] {
            assert!(categories.contains(seed), "no {seed} incident");
        }
        for visibility in Visibility::ALL {
            assert!(state.incidents.iter().any(|i| i.visibility == *visibility));
        }
        assert_eq!(state.exercise.phase, Phase::Endex);
        assert_eq!(
            state.exercise.organiser,
            "NATO Allied Command Transformation"
        );
        assert!(
            state.incidents.iter().any(|i| i.status.is_open()),
            "some open at ENDEX"
        );
        assert!(state
            .incidents
            .iter()
            .any(|i| i.status == IncidentStatus::Resolved));
    }

    #[test]
    fn a_live_screen_sees_a_change_every_few_minutes() {
        let scenario = Scenario::parse(&generate()).unwrap();
        let offsets: Vec<i64> = scenario
            .entries
            .iter()
            .map(|entry| {
                watchfloor_model::time::parse_duration(&entry.at)
                    .unwrap()
                    .num_seconds()
            })
            .collect();
        for pair in offsets.windows(2) {
            let paused = pair[0] == PAUSE_AT;
            if pair[0] >= START_AT && !paused {
                assert!(
                    pair[1] - pair[0] <= 8 * MINUTE,
                    "a quiet gap at {}",
                    offset(pair[0])
                );
            }
        }
    }

    #[test]
    fn every_template_fills() {
        let mut generator = Generator::new();
        let mut fill = Fill {
            values: BTreeMap::new(),
            host_prefix: "est".into(),
        };
        fill.values.insert("nation".into(), "Estonia".into());
        fill.values
            .insert("nations".into(), "Estonia and Latvia".into());
        let notes = [
            REPORTED_NOTES,
            ANALYSING_NOTES,
            CONTAINED_NOTES,
            RESOLVED_NOTES,
        ];
        for category in CATEGORIES {
            assert!(
                category.titles.len() >= category.details.len(),
                "{}",
                category.slug
            );
            let lists = [
                category.titles,
                category.summaries,
                category.details,
                category.contain,
                category.updates,
            ];
            for template in lists.iter().chain(&notes).flat_map(|list| list.iter()) {
                let text = generator.fill(template, &mut fill);
                assert!(!text.contains('{') && !text.is_empty(), "{text}");
            }
        }
    }

    #[test]
    fn offsets_read_like_the_format() {
        assert_eq!(offset(0), "0s");
        assert_eq!(offset(45), "45s");
        assert_eq!(offset(2 * DAY + 4 * HOUR + 30 * MINUTE), "2d4h30m");
        assert_eq!(offset(5 * DAY), "5d");
    }

    /// Writes the file: `cargo test -p xtask -- --ignored write_the_demo_scenario`
    /// (the same as `cargo xtask demo-scenario`).
    #[test]
    #[ignore]
    fn write_the_demo_scenario() {
        write(root()).unwrap();
    }
}
