//! Writing the planned chunks inside the import's one transaction: bulk loads of new people and
//! memberships, updates, moves with the achievements they carry, confirmations, the audit log,
//! and the live counts' changes at the end.

use std::collections::{BTreeMap, HashMap};

use hocvuso_db::repo::{people, roster, stats};
use hocvuso_import::RowError;

use crate::services::runtime::Runtime;
use crate::services::Internal;

use super::*;

/// Writes the plans of one import inside its transaction.
pub(super) struct Writer {
    pub(super) state: Runtime,
    pub(super) txn: hocvuso_db::dialect::BulkTxn,
    /// Changes to the live counts `(unit, group, indicator, week)`, written at the end.
    pub(super) count_deltas: BTreeMap<stats::WeekKey, stats::Delta>,
    pub(super) now: chrono::DateTime<chrono::Utc>,
    /// Who imports (None: the command line), for the audit log.
    pub(super) actor_id: Option<i64>,
}

impl Writer {
    /// Writes plans as they come until there are no more, or until one cannot be written:
    /// then gives itself back (the transaction still open, for the caller to commit or roll
    /// back) with that plan's row error.
    pub(super) async fn run(
        mut self,
        mut plans: tokio::sync::mpsc::Receiver<Plan>,
    ) -> Result<(Self, Option<RowError>), Internal> {
        while let Some(mut plan) = plans.recv().await {
            // Plans waiting already are written together: fewer, bigger statements when the
            // server is the slower side (one `COPY` of 20,000 rows instead of ten).
            while plan.new_people.len() + plan.updates.len() < WRITE_ROWS {
                match plans.try_recv() {
                    Ok(next) => plan.absorb(next),
                    Err(_) => break,
                }
            }
            if let Some(e) = self.write(plan).await? {
                return Ok((self, Some(e)));
            }
        }
        Ok((self, None))
    }

    /// Writes one chunk's plan: new people, updates, memberships and moves, and the count
    /// changes they bring. A row error when someone registered with a key of the file since
    /// it was read.
    pub(super) async fn write(&mut self, plan: Plan) -> Result<Option<RowError>, Internal> {
        match self.write_plan(plan).await {
            Ok(()) => Ok(None),
            Err(e) if hocvuso_db::dialect::is_unique_violation(&e) => Ok(Some(RowError {
                line: 0,
                message: "Trong lúc nhập, có người vừa đăng ký cùng số điện thoại hoặc số định danh với một dòng của tệp. Chưa có gì được ghi; hãy nhập lại tệp (người đó sẽ được nhận ra).".to_owned(),
            })),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn write_plan(&mut self, plan: Plan) -> Result<(), hocvuso_db::DbErr> {
        let Plan {
            new_people,
            new_members,
            joins,
            updates,
            moves,
            classes,
            memberships,
            confirm,
            audit,
        } = plan;
        let txn = &self.txn;
        // New people, then the memberships (theirs and known people's joins). New people have
        // achieved nothing yet: only the known people's joins can move counts.
        roster::insert_people(txn, new_people).await?;
        for (id, p) in &updates {
            roster::update_person(txn, *id, p).await?;
        }
        roster::insert_memberships(txn, new_members).await?;
        for (membership_id, _, to, _) in &moves {
            roster::move_membership(txn, *membership_id, *to).await?;
        }
        for (membership_id, class) in &classes {
            roster::set_class(txn, *membership_id, class).await?;
        }
        // The live counts follow memberships: a joined or moved member's achievements in
        // that group count in the new unit (and no longer in the old one).
        let person_of_membership: HashMap<i64, i64> =
            memberships.iter().map(|m| (m.id, m.person_id)).collect();
        let moved: Vec<(i64, i64, i64, &String)> = moves
            .iter()
            .filter_map(|(m, from, to, group)| {
                person_of_membership
                    .get(m)
                    .map(|person| (*person, *from, *to, group))
            })
            .collect();
        let touched: Vec<i64> = joins
            .iter()
            .map(|(p, _, _)| *p)
            .chain(moved.iter().map(|(p, ..)| *p))
            .collect();
        if !touched.is_empty() {
            let achieved = roster::achievements_of(txn, &touched).await?;
            let unconfirmed = people::unconfirmed_among(txn, &touched).await?;
            let one = |p: i64| stats::Delta::of(!unconfirmed.contains(&p), 1);
            // `(person, group)` → its achievements `(indicator, week)`.
            let mut achieved_by: HashMap<(i64, &str), Vec<(&String, &String)>> = HashMap::new();
            for (p, g, indicator, week) in &achieved {
                achieved_by
                    .entry((*p, g.as_str()))
                    .or_default()
                    .push((indicator, week));
            }
            for (pid, group, unit) in &joins {
                for (indicator, week) in achieved_by
                    .get(&(*pid, group.as_str()))
                    .into_iter()
                    .flatten()
                {
                    *self
                        .count_deltas
                        .entry((*unit, group.clone(), (*indicator).clone(), (*week).clone()))
                        .or_default() += one(*pid);
                }
            }
            for (person, from, to, group) in &moved {
                for (indicator, week) in achieved_by
                    .get(&(*person, group.as_str()))
                    .into_iter()
                    .flatten()
                {
                    *self
                        .count_deltas
                        .entry((
                            *from,
                            (*group).clone(),
                            (*indicator).clone(),
                            (*week).clone(),
                        ))
                        .or_default() -= one(*person);
                    *self
                        .count_deltas
                        .entry((*to, (*group).clone(), (*indicator).clone(), (*week).clone()))
                        .or_default() += one(*person);
                }
            }
        }
        // A known person who joins a group may already have done what it requires: the spine
        // records and counts that achievement now, as a pass would have (after the counts
        // above, which move achievements that already existed).
        let joined: Vec<i64> = joins.iter().map(|(p, _, _)| *p).collect();
        crate::services::learning::spine::record_achievements(
            txn,
            &self.state.catalog.current(),
            &joined,
            |_| Some(self.now),
        )
        .await?;
        // Matched by citizen ID: confirmed from now on; their achievements move to the
        // confirmed counts of the units they belong to now (after the moves above).
        crate::services::learning::spine::confirm_people(txn, &confirm, "roster", self.now).await?;
        if let Some(actor) = self.actor_id {
            hocvuso_db::repo::audit::record_many(txn, actor, &audit, self.now).await?;
        }
        Ok(())
    }
}
