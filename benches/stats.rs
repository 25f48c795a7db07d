//! Medians, spreads and the results table.

/// Summary of repeated measurements.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub median: f64,
    pub p25: f64,
    pub p75: f64,
    pub p99: f64,
    pub count: usize,
}

pub fn summary(values: &[f64]) -> Summary {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let at = |q: f64| {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let index = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[index]
    };
    Summary {
        median: at(0.5),
        p25: at(0.25),
        p75: at(0.75),
        p99: at(0.99),
        count: sorted.len(),
    }
}

/// One row: what, Watchfloor's figure, the reference's figure, their ratio.
pub struct Row {
    pub what: String,
    pub watchfloor: String,
    pub reference: String,
    pub ratio: String,
}

/// One benchmark's table.
pub struct Section {
    pub title: String,
    pub conditions: String,
    pub rows: Vec<Row>,
}

impl Section {
    pub fn new(title: &str, conditions: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            conditions: conditions.into(),
            rows: Vec::new(),
        }
    }

    pub fn row(
        &mut self,
        what: impl Into<String>,
        watchfloor: impl Into<String>,
        reference: impl Into<String>,
        ratio: impl Into<String>,
    ) {
        self.rows.push(Row {
            what: what.into(),
            watchfloor: watchfloor.into(),
            reference: reference.into(),
            ratio: ratio.into(),
        });
    }

    pub fn markdown(&self) -> String {
        let mut text = format!("## {}\n\n{}\n\n| measure | Watchfloor | reference | ratio |\n| --- | --- | --- | --- |\n", self.title, self.conditions);
        for row in &self.rows {
            text.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                row.what, row.watchfloor, row.reference, row.ratio
            ));
        }
        text
    }
}

/// `12.3 ms (p25 11.0–p75 14.1, n=20)`.
pub fn ms(summary: Summary) -> String {
    format!(
        "{:.1} ms ({:.1}–{:.1}, n={})",
        summary.median, summary.p25, summary.p75, summary.count
    )
}

/// `p50 12.3 ms, p99 30.1 ms (n=200)`.
pub fn latency(summary: Summary) -> String {
    format!(
        "p50 {:.1} ms, p99 {:.1} ms (n={})",
        summary.median, summary.p99, summary.count
    )
}

/// Watchfloor / reference, to two significant places.
pub fn ratio(watchfloor: f64, reference: f64) -> String {
    if reference == 0.0 || !watchfloor.is_finite() || !reference.is_finite() {
        return "–".into();
    }
    format!("{:.2}×", watchfloor / reference)
}

pub fn bytes(count: u64) -> String {
    if count >= 1024 * 1024 {
        format!("{:.2} MiB", count as f64 / 1024.0 / 1024.0)
    } else if count >= 1024 {
        format!("{:.1} KiB", count as f64 / 1024.0)
    } else {
        format!("{count} B")
    }
}
