//! News (`/tin-tuc`): announcements the province and units publish — title, text in the
//! handbook's Markdown, a picture, the audience (the publishing unit and every unit below, and
//! optionally some groups), publish and expiry times — shown to their readers, on a learner's
//! home page, and (the public ones) in an Atom feed.

pub mod feed;
pub mod items;
