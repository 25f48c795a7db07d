//! A nation's response times: the median time from an inject to the nation's
//! detected, reported and contained milestones.

use chrono::Duration;
use watchfloor_model::{Incident, Milestone};

use crate::overview::figures::median;

/// A nation's median time to one milestone over the incidents it reached it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseMedian {
    pub milestone: Milestone,
    /// `None` until the nation has reached the milestone once.
    pub median: Option<Duration>,
}

/// The nation `code`'s medians, in the order detected, reported, contained.
pub fn response_medians(incidents: &[Incident], code: &str) -> Vec<ResponseMedian> {
    Milestone::ALL
        .iter()
        .map(|milestone| {
            let mut times: Vec<Duration> = incidents
                .iter()
                .flat_map(|incident| incident.response_times(*milestone))
                .filter(|time| time.nation == code)
                .map(|time| Duration::seconds(time.seconds))
                .collect();
            ResponseMedian {
                milestone: *milestone,
                median: median(&mut times),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::incident;
    use watchfloor_model::{IncidentStatus as S, NationResponse, Severity as V};

    #[test]
    fn response_medians_are_per_nation_and_milestone() {
        let mut first = incident("A", V::High, S::Analysing);
        let mut second = incident("B", V::High, S::Analysing);
        for (incident, minutes) in [(&mut first, 10), (&mut second, 30)] {
            let detected = incident.opened_at + Duration::minutes(minutes);
            incident.responses.insert(
                "EST".into(),
                NationResponse {
                    detected: Some(detected),
                    ..NationResponse::default()
                },
            );
        }
        let medians = response_medians(&[first, second], "EST");
        assert_eq!(
            medians[0],
            ResponseMedian {
                milestone: Milestone::Detected,
                median: Some(Duration::minutes(20))
            }
        );
        assert_eq!(medians[2].milestone, Milestone::Contained);
        assert_eq!(medians[2].median, None);
        assert_eq!(response_medians(&[], "EST")[0].median, None);
    }
}
