//! Reminders: the officers' desk (`desk`: write, preview, send, delivery log, weekly
//! reminders) and each person's notifications page (`inbox`).

pub mod desk;
pub mod inbox;
