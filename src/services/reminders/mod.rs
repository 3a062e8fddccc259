//! Reminders to the people who have not finished, and the durable queue that sends them:
//! officers write one with a preview of who it reaches (`compose`), the province sets weekly
//! ones (`schedules`), every server process sends what is due within the limits real senders
//! need (`sender`: a week between two reminders to one person, no text messages at night, a
//! rate cap, retries with backoff, a delivery log), and each person sees theirs and may stop
//! them (`inbox`).

pub mod compose;
pub mod inbox;
pub mod schedules;
pub mod sender;
