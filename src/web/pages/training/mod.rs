//! Pages of training classes (`services::training`): the organiser's (`classes`: create, the
//! list of places, attendance by list and the trainer's code screen) and the learner's
//! (`learner`: classes open to them, registering, checking in with the code).

pub mod classes;
pub mod learner;
