//! Honours (the plan's task 1): a unit proposes an individual or a collective for an
//! initiative or a good practice, with evidence files; the province returns it with comments,
//! accepts or declines it; accepted ones are on the public honour roll by year. Owns the
//! `honour_*` tables; pages in `web/pages/honours/`, templates in `templates/honours/`.

pub mod proposals;
