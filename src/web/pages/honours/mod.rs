//! Pages of honours (`services::honours`): the public honour roll (`roll`), and the units'
//! proposals with the province's review (`proposals`).

pub mod proposals;
pub mod roll;
