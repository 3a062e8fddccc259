//! Contests (hội thi, cuộc thi — the plan's task 1). A unit's officer (or the province)
//! creates a contest with rounds that draw questions from a course's bank; people join for
//! their commune or agency and play each round within its hours, one entry per attempt; after
//! a round closes its ranking (most right answers, then the prediction closest to the truth,
//! then the shortest time, then the earliest submission) is computed once, recorded with a
//! digest that `hocvuso contest verify` recomputes, and shown as leaderboards for people
//! (masked names) and units; the organiser sets prizes, confirms the proposed winners and
//! downloads the award decision (XLSX, PDF).
//!
//! - [`organise`]: contests and rounds, for their organisers.
//! - [`play`]: joining, starting and submitting entries (group commit), the entry page.
//! - [`ranking`]: the ranking rule, leaderboards, the cache of closed rounds' rankings.
//! - [`boards`]: a contest's leaderboards, computed once per set of closed rounds.
//! - [`awards`]: prizes, proposed and confirmed winners, the decision files.
//! - [`public`]: the list, a contest's page and its leaderboards, for everyone.

pub mod awards;
pub mod boards;
pub mod organise;
pub mod play;
pub mod public;
pub mod ranking;
