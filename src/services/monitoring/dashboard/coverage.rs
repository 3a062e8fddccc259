//! A unit's digital-competence coverage: for each competence of the framework, how many of
//! the unit's people have read a lesson that builds it.

use std::collections::BTreeMap;

use hocvuso_db::repo::org;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

use super::*;

/// One competence of the national framework and how many of a unit's people have learned it.
pub struct CoverageLine {
    pub code: &'static str,
    pub name: &'static str,
    /// People of the unit who finished at least one lesson that builds it.
    pub learned: i64,
}
pub struct CoverageDomain {
    pub number: u8,
    pub name: &'static str,
    pub lines: Vec<CoverageLine>,
}
/// A unit's digital-competence coverage (Thông tư 02/2025/TT-BGDĐT).
pub struct Coverage {
    pub unit_code: String,
    pub unit_name: String,
    /// Everyone who belongs to the unit or a unit below it.
    pub people: i64,
    pub domains: Vec<CoverageDomain>,
}
/// For every competence, how many people of a unit (and below) finished a lesson that builds
/// it — each person once per competence, whatever the course. `None`: no such unit, or not
/// allowed. Lessons a newer course version retired no longer count.
pub async fn competence_coverage(
    state: &Runtime,
    user: &SessionUser,
    code: &str,
) -> Result<Option<Coverage>, Internal> {
    use std::collections::BTreeSet;
    if !may_view(state, user, code).await? {
        return Ok(None);
    }
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(None);
    };
    let catalog = state.catalog.current();
    let builds: BTreeMap<i64, Vec<&str>> = catalog
        .courses()
        .flat_map(|c| c.lessons.iter())
        .map(|l| {
            (
                l.lesson.id,
                l.lesson.competences.split_whitespace().collect(),
            )
        })
        .collect();
    let mut learners: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (person, lesson) in hocvuso_db::repo::learning::lessons_read_under(db, &unit.path).await? {
        for code in builds.get(&lesson).into_iter().flatten() {
            learners.entry(code).or_default().insert(person);
        }
    }
    let people = hocvuso_db::repo::learning::people_under(db, &unit.path).await?;
    let domains = hocvuso_domain::competence::FRAMEWORK
        .iter()
        .map(|d| CoverageDomain {
            number: d.number,
            name: d.name,
            lines: d
                .competences
                .iter()
                .map(|&(code, name)| CoverageLine {
                    code,
                    name,
                    learned: learners.get(code).map_or(0, |s| s.len() as i64),
                })
                .collect(),
        })
        .collect();
    Ok(Some(Coverage {
        unit_code: unit.code,
        unit_name: unit.name,
        people,
        domains,
    }))
}
