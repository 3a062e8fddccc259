//! Writing, taking down and reading news items. An officer writes for the units they manage
//! (the province for any unit); a reader sees the items live now (published, not expired, not
//! taken down) that are public or addressed to them: a unit they live or belong in or a unit
//! above it, and (when the item names groups) a group they are counted in.

use chrono::{DateTime, Duration, Utc};
use hocvuso_db::repo::news::{self, Audience, NewItem, Picture, Readers};
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::TargetGroup;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::shared::{markdown, media};
use crate::services::Internal;

/// Items on one page of the list.
pub const PAGE_SIZE: u64 = 20;
/// The last page number a list answers (deeper pages are old news: 20,000 items back).
pub const MAX_PAGE: u64 = 1_000;
/// Items on a learner's home page.
pub const HOME_ITEMS: u64 = 3;
/// Longest text of an item, in characters.
pub const MAX_BODY: usize = 20_000;

/// The address of an item's picture; the `v` part changes whenever the item does, so a
/// picture can be kept by browsers for a day without showing an old one.
fn picture_url(item: &news::Item) -> Option<String> {
    item.image_type
        .as_ref()
        .map(|_| format!("/tin-tuc/{}/anh?v={}", item.id, item.updated_at.timestamp()))
}

/// An item in a list.
pub struct Card {
    pub id: i64,
    pub title: String,
    pub unit: String,
    /// `dd/mm/yyyy` of publishing (Vietnam time).
    pub day: String,
    /// The first words of the text.
    pub summary: String,
    pub public: bool,
}

fn summary(body: &str) -> String {
    let text = markdown::plain_text(body);
    let mut out: String = text.chars().take(220).collect();
    if text.chars().count() > 220 {
        let cut = out.rfind(' ').unwrap_or(out.len());
        out.truncate(cut);
        out.push('…');
    }
    out
}

fn unit_name(tree: &[org::OrgUnit], id: i64) -> String {
    tree.iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn card(tree: &[org::OrgUnit], item: news::Item) -> Card {
    Card {
        id: item.id,
        unit: unit_name(tree, item.unit_id),
        day: crate::clock::format_date(item.publish_at),
        summary: summary(&item.body),
        public: item.public,
        title: item.title,
    }
}

/// The units a person lives or belongs in and above them, and the groups they are counted in.
async fn audience_of(state: &Runtime, person_id: i64) -> Result<(Vec<i64>, Vec<String>), Internal> {
    let db = state.db.read();
    let Some(person) = people::person_by_id(db, person_id).await? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let memberships = people::memberships(db, person.id).await?;
    let mut own: Vec<i64> = memberships.iter().map(|m| m.unit_id).collect();
    own.extend(person.residence_unit_id);
    let units = crate::services::people::org::with_units_above(state, &own).await?;
    let mut groups: Vec<String> = memberships.into_iter().map(|m| m.group_code).collect();
    groups.sort();
    groups.dedup();
    Ok((units, groups))
}

/// A page of the list: the items live now that this reader may read (anyone: the public ones),
/// newest first, and whether there is a next page.
pub async fn list(
    state: &Runtime,
    user: Option<&SessionUser>,
    page: u64,
) -> Result<(Vec<Card>, bool), Internal> {
    let page = page.clamp(1, MAX_PAGE);
    let now = state.clock.now();
    let db = state.db.read();
    let offset = (page - 1) * PAGE_SIZE;
    let mut items = match user {
        None => news::live(db, &Readers::Public, now, offset, PAGE_SIZE + 1).await?,
        Some(u) => {
            let (units, groups) = audience_of(state, u.person_id).await?;
            let a = Audience {
                units: &units,
                groups: &groups,
            };
            news::live(db, &Readers::Person(&a), now, offset, PAGE_SIZE + 1).await?
        }
    };
    let more = items.len() as u64 > PAGE_SIZE && page < MAX_PAGE;
    items.truncate(PAGE_SIZE as usize);
    let tree = crate::services::people::org::tree(state).await?;
    Ok((items.into_iter().map(|i| card(&tree, i)).collect(), more))
}

/// The newest items addressed to this learner (not every public one): their home page.
pub async fn for_home(state: &Runtime, user: &SessionUser) -> Result<Vec<Card>, Internal> {
    let (units, groups) = audience_of(state, user.person_id).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let a = Audience {
        units: &units,
        groups: &groups,
    };
    let items = news::live(
        state.db.read(),
        &Readers::OnlyFor(&a),
        state.clock.now(),
        0,
        HOME_ITEMS,
    )
    .await?;
    let tree = crate::services::people::org::tree(state).await?;
    Ok(items.into_iter().map(|i| card(&tree, i)).collect())
}

/// Whether the item is live at `now`.
fn is_live(item: &news::Item, now: DateTime<Utc>) -> bool {
    item.withdrawn_at.is_none() && item.publish_at <= now && item.expires_at.is_none_or(|e| e > now)
}

/// Where an item stands, in words (for the people who manage it).
pub fn state_words(item: &news::Item, now: DateTime<Utc>) -> String {
    if item.withdrawn_at.is_some() {
        "Đã gỡ".to_owned()
    } else if item.publish_at > now {
        format!(
            "Hẹn đăng lúc {}",
            crate::clock::format_date_time(item.publish_at)
        )
    } else if item.expires_at.is_some_and(|e| e <= now) {
        "Đã hết hạn".to_owned()
    } else {
        "Đang hiển thị".to_owned()
    }
}

/// Whether this staff member manages items of this unit.
async fn manages(state: &Runtime, user: &SessionUser, unit_id: i64) -> Result<bool, Internal> {
    Ok(crate::services::people::org::managed_units(state, user)
        .await?
        .is_none_or(|units| units.iter().any(|u| u.id == unit_id)))
}

/// May this reader read the item now? Its managers always may.
async fn may_read(
    state: &Runtime,
    user: Option<&SessionUser>,
    item: &news::Item,
) -> Result<(bool, bool), Internal> {
    let may_manage = match user {
        Some(u) if u.is_province_admin() || u.officer_units().next().is_some() => {
            manages(state, u, item.unit_id).await?
        }
        _ => false,
    };
    if may_manage {
        return Ok((true, true));
    }
    if !is_live(item, state.clock.now()) {
        return Ok((false, false));
    }
    if item.public {
        return Ok((true, false));
    }
    let Some(u) = user else {
        return Ok((false, false));
    };
    let (units, groups) = audience_of(state, u.person_id).await?;
    let for_groups = item.groups.is_empty()
        || groups
            .iter()
            .any(|g| item.groups.contains(&format!(",{g},")));
    Ok((units.contains(&item.unit_id) && for_groups, false))
}

/// An item's page.
pub struct ItemView {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub day: String,
    /// The text as HTML (the handbook's Markdown, sanitised by construction).
    pub html: String,
    /// `(address, width, height, description)`.
    pub picture: Option<(String, Option<i32>, Option<i32>, String)>,
    /// For its managers: where it stands, who it is for, and that they may edit it.
    pub manage: Option<(String, String)>,
}

/// Who an item is for, in words.
fn audience_words(tree: &[org::OrgUnit], item: &news::Item) -> String {
    let groups: Vec<&str> = item
        .groups
        .split(',')
        .filter_map(TargetGroup::from_code)
        .map(|g| g.name_vi())
        .collect();
    let mut out = format!(
        "Người ở {} và các đơn vị trực thuộc",
        unit_name(tree, item.unit_id)
    );
    if !groups.is_empty() {
        out.push_str(&format!(", thuộc nhóm: {}", groups.join("; ")));
    }
    out.push_str(if item.public {
        ". Công khai: ai cũng đọc được, có trong nguồn tin Atom."
    } else {
        ". Chỉ người đã đăng nhập thuộc đối tượng này đọc được."
    });
    out
}

/// An item for this reader; `None` when there is no such item or it is not for them.
pub async fn read(
    state: &Runtime,
    user: Option<&SessionUser>,
    id: i64,
) -> Result<Option<ItemView>, Internal> {
    let Some(item) = news::by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let (may, may_manage) = may_read(state, user, &item).await?;
    if !may {
        return Ok(None);
    }
    let tree = crate::services::people::org::tree(state).await?;
    let now = state.clock.now();
    Ok(Some(ItemView {
        id: item.id,
        unit: unit_name(&tree, item.unit_id),
        day: crate::clock::format_date(item.publish_at),
        html: markdown::to_html(&item.body),
        picture: picture_url(&item).map(|url| {
            (
                url,
                item.image_width,
                item.image_height,
                item.image_alt.clone(),
            )
        }),
        manage: may_manage.then(|| (state_words(&item, now), audience_words(&tree, &item))),
        title: item.title,
    }))
}

/// An item's picture for this reader: bytes, type, and whether it may be kept by shared caches
/// (a public item's).
pub async fn picture(
    state: &Runtime,
    user: Option<&SessionUser>,
    id: i64,
) -> Result<Option<(Vec<u8>, String, bool)>, Internal> {
    let db = state.db.read();
    let Some(item) = news::by_id(db, id).await? else {
        return Ok(None);
    };
    let Some(content_type) = item.image_type.clone() else {
        return Ok(None);
    };
    if !may_read(state, user, &item).await?.0 {
        return Ok(None);
    }
    Ok(news::picture(db, id).await?.map(|bytes| {
        (
            bytes,
            content_type,
            item.public && is_live(&item, state.clock.now()),
        )
    }))
}

/// An item on the officer's desk.
pub struct DeskLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub publish: String,
    pub state: String,
    pub withdrawn: bool,
    pub public: bool,
}

/// The items of the units this officer manages (the province: every item), newest first.
pub async fn desk(
    state: &Runtime,
    user: &SessionUser,
    page: u64,
) -> Result<(Vec<DeskLine>, bool), Internal> {
    let page = page.clamp(1, MAX_PAGE);
    let units: Option<Vec<i64>> = crate::services::people::org::managed_units(state, user)
        .await?
        .map(|us| us.into_iter().map(|u| u.id).collect());
    let mut items = news::of_units(
        state.db.read(),
        units.as_deref(),
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE + 1,
    )
    .await?;
    let more = items.len() as u64 > PAGE_SIZE && page < MAX_PAGE;
    items.truncate(PAGE_SIZE as usize);
    let tree = crate::services::people::org::tree(state).await?;
    let now = state.clock.now();
    Ok((
        items
            .into_iter()
            .map(|i| DeskLine {
                id: i.id,
                unit: unit_name(&tree, i.unit_id),
                publish: crate::clock::format_date_time(i.publish_at),
                state: state_words(&i, now),
                withdrawn: i.withdrawn_at.is_some(),
                public: i.public,
                title: i.title,
            })
            .collect(),
        more,
    ))
}

/// An item as the form sends it.
#[derive(Debug, Default, Clone)]
pub struct NewsInput {
    /// The publishing unit's code.
    pub unit: String,
    pub title: String,
    pub body: String,
    /// The group codes ticked (none: everyone).
    pub groups: Vec<String>,
    pub public: bool,
    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    pub publish_at: String,
    /// `dd/mm/yyyy` (the item shows until the end of that day), or empty.
    pub expires_on: String,
    pub picture_alt: String,
    /// Take the picture away (when editing).
    pub remove_picture: bool,
}

/// A picture that passed the checks, fitted for phones.
struct Fitted {
    bytes: Vec<u8>,
    kind: media::ImageKind,
}

/// Checks every field; nothing is written here.
async fn check(
    state: &Runtime,
    user: &SessionUser,
    input: &NewsInput,
    upload: Option<&[u8]>,
    had_picture: bool,
    published_at: Option<DateTime<Utc>>,
) -> Result<
    (
        org::OrgUnit,
        Option<Fitted>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    ),
    FormError,
> {
    let mut errors: FieldErrors = Vec::new();
    let units = crate::services::people::org::units_to_act_for(state, user).await?;
    let unit = units.into_iter().find(|u| u.code == input.unit.trim());
    if unit.is_none() {
        errors.push(("don_vi", "Hãy chọn đơn vị đăng tin.".to_owned()));
    }
    let title = input.title.trim();
    if !(5..=200).contains(&title.chars().count()) {
        errors.push(("tieu_de", "Hãy ghi tiêu đề (5 đến 200 ký tự).".to_owned()));
    } else if title.chars().any(char::is_control) {
        errors.push((
            "tieu_de",
            "Tiêu đề có ký tự điều khiển không in được. Hãy gõ lại tiêu đề.".to_owned(),
        ));
    }
    let body = input.body.trim();
    if !(10..=MAX_BODY).contains(&body.chars().count()) {
        errors.push((
            "noi_dung",
            "Hãy ghi nội dung tin (10 đến 20.000 ký tự).".to_owned(),
        ));
    } else if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push((
            "noi_dung",
            "Nội dung có ký tự điều khiển không in được (thường do dán từ tệp khác). Hãy dán lại dưới dạng chữ thường.".to_owned(),
        ));
    }
    if input
        .groups
        .iter()
        .any(|g| TargetGroup::from_code(g).is_none())
    {
        errors.push(("nhom", "Có nhóm đối tượng không đúng.".to_owned()));
    }
    let now = state.clock.now();
    // An item being edited keeps its time when the form sends it back unchanged (to the
    // minute), however long ago it was published.
    let kept =
        published_at.filter(|t| crate::clock::format_date_time(*t) == input.publish_at.trim());
    let publish_at = kept.or_else(|| crate::clock::parse_date_time(&input.publish_at));
    match publish_at {
        Some(_) if kept.is_some() => {}
        None => errors.push((
            "dang_luc",
            "Hãy ghi thời điểm đăng theo mẫu 05/12/2026 08:00.".to_owned(),
        )),
        Some(t) if t > now + Duration::days(366) => errors.push((
            "dang_luc",
            "Chỉ hẹn đăng trong vòng một năm tới.".to_owned(),
        )),
        Some(t) if t < now - Duration::days(366) => errors.push((
            "dang_luc",
            "Thời điểm đăng không được sớm hơn một năm trước.".to_owned(),
        )),
        Some(_) => {}
    }
    let expires_at = match input.expires_on.trim() {
        "" => None,
        s => match crate::clock::parse_day(s) {
            Some(day) => {
                let end = crate::clock::start_of_vietnam_day(day + Duration::days(1));
                if publish_at.is_some_and(|p| end <= p) {
                    errors.push((
                        "het_han",
                        "Ngày hết hạn phải sau thời điểm đăng.".to_owned(),
                    ));
                }
                Some(end)
            }
            None => {
                errors.push((
                    "het_han",
                    "Hãy ghi ngày hết hạn theo mẫu 31/12/2026, hoặc để trống.".to_owned(),
                ));
                None
            }
        },
    };
    let fitted = match upload {
        Some(u) if !u.is_empty() => match media::sniff(u) {
            Ok(kind) => {
                let bytes = u.to_vec();
                // Always drawn again (not only when too big): what the camera wrote beside the
                // picture (the place it was taken, the phone) does not reach a public page.
                match tokio::task::spawn_blocking(move || media::redraw(&bytes, kind))
                    .await
                    .map_err(|e| Internal::Other(format!("news picture: {e}")))?
                {
                    Ok((bytes, kind)) => Some(Fitted { bytes, kind }),
                    Err(e) => {
                        errors.push(("anh", e.to_owned()));
                        None
                    }
                }
            }
            Err(e) => {
                errors.push(("anh", e.to_owned()));
                None
            }
        },
        _ => None,
    };
    let keeps_picture = fitted.is_some() || (had_picture && !input.remove_picture);
    let alt = input.picture_alt.trim().chars().count();
    if keeps_picture && !(3..=200).contains(&alt) {
        errors.push((
            "mo_ta_anh",
            "Hãy tả ngắn bức ảnh (3 đến 200 ký tự) cho người không nhìn thấy ảnh.".to_owned(),
        ));
    }
    match (unit, publish_at, errors.is_empty()) {
        (Some(unit), Some(p), true) => Ok((unit, fitted, p, expires_at)),
        _ => Err(FormError::Invalid(errors)),
    }
}

fn groups_field(groups: &[String]) -> String {
    let mut codes: Vec<&str> = TargetGroup::ALL
        .iter()
        .map(|g| g.code())
        .filter(|c| groups.iter().any(|g| g == c))
        .collect();
    codes.dedup();
    if codes.is_empty() {
        String::new()
    } else {
        format!(",{},", codes.join(","))
    }
}

/// Publishes (or schedules) an item; every field right or nothing written.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &NewsInput,
    upload: Option<&[u8]>,
) -> Result<i64, FormError> {
    let (unit, fitted, publish_at, expires_at) =
        check(state, user, input, upload, false, None).await?;
    let now = state.clock.now();
    let groups = groups_field(&input.groups);
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let id = news::insert(
        &txn,
        &NewItem {
            unit_id: unit.id,
            title: input.title.trim(),
            body: input.body.trim(),
            groups: &groups,
            public: input.public,
            publish_at,
            expires_at,
            image_alt: if fitted.is_some() {
                input.picture_alt.trim()
            } else {
                ""
            },
        },
        user.person_id,
        now,
    )
    .await?;
    if let Some(f) = &fitted {
        news::set_picture(&txn, id, Some(&picture_of(f)), now).await?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::NewsCreate,
        &id.to_string(),
        &format!("{}: {}", unit.name, input.title.trim()),
        now,
    )
    .await?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(id)
}

fn picture_of(f: &Fitted) -> Picture<'_> {
    Picture {
        bytes: &f.bytes,
        content_type: f.kind.content_type,
        width: f.kind.width,
        height: f.kind.height,
    }
}

/// Where an item being edited stands (a new one: the default).
#[derive(Default)]
pub struct Standing {
    /// In words ([`state_words`]).
    pub state: String,
    pub withdrawn: bool,
    pub has_picture: bool,
}

/// An item as its edit form shows it.
pub struct Editing {
    pub input: NewsInput,
    pub standing: Standing,
}

/// An item of a unit this officer manages; `None` otherwise (or no such item).
async fn managed_item(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<news::Item>, Internal> {
    let Some(item) = news::by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    Ok(manages(state, user, item.unit_id).await?.then_some(item))
}

pub async fn editing(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<Editing>, Internal> {
    let Some(item) = managed_item(state, user, id).await? else {
        return Ok(None);
    };
    let tree = crate::services::people::org::tree(state).await?;
    Ok(Some(Editing {
        standing: Standing {
            state: state_words(&item, state.clock.now()),
            withdrawn: item.withdrawn_at.is_some(),
            has_picture: item.image_type.is_some(),
        },
        input: NewsInput {
            unit: tree
                .iter()
                .find(|u| u.id == item.unit_id)
                .map(|u| u.code.clone())
                .unwrap_or_default(),
            groups: item
                .groups
                .split(',')
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
            public: item.public,
            publish_at: crate::clock::format_date_time(item.publish_at),
            expires_on: item
                .expires_at
                .map(|e| crate::clock::format_date(e - Duration::seconds(1)))
                .unwrap_or_default(),
            picture_alt: item.image_alt,
            remove_picture: false,
            title: item.title,
            body: item.body,
        },
    }))
}

/// Writes an item again; `Ok(None)` when it is not this officer's to edit.
pub async fn update(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    input: &NewsInput,
    upload: Option<&[u8]>,
) -> Result<Option<()>, FormError> {
    let Some(item) = managed_item(state, user, id).await? else {
        return Ok(None);
    };
    let had = item.image_type.is_some();
    let (unit, fitted, publish_at, expires_at) =
        check(state, user, input, upload, had, Some(item.publish_at)).await?;
    let keeps = fitted.is_some() || (had && !input.remove_picture);
    let now = state.clock.now();
    let groups = groups_field(&input.groups);
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    news::update(
        &txn,
        id,
        &NewItem {
            unit_id: unit.id,
            title: input.title.trim(),
            body: input.body.trim(),
            groups: &groups,
            public: input.public,
            publish_at,
            expires_at,
            image_alt: if keeps { input.picture_alt.trim() } else { "" },
        },
        now,
    )
    .await?;
    if let Some(f) = &fitted {
        news::set_picture(&txn, id, Some(&picture_of(f)), now).await?;
    } else if had && input.remove_picture {
        news::set_picture(&txn, id, None, now).await?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::NewsEdit,
        &id.to_string(),
        &format!("{}: {}", unit.name, input.title.trim()),
        now,
    )
    .await?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(Some(()))
}

/// Takes an item down (`true`) or puts it back; `Ok(None)` when it is not this officer's.
pub async fn set_withdrawn(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    withdraw: bool,
) -> Result<Option<()>, Internal> {
    let Some(item) = managed_item(state, user, id).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    news::set_withdrawn(&txn, id, withdraw.then_some(now), now).await?;
    audit::record(
        &txn,
        user.person_id,
        if withdraw {
            AuditAction::NewsWithdraw
        } else {
            AuditAction::NewsRestore
        },
        &id.to_string(),
        &item.title,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(()))
}

/// The units this officer may publish for: `(code, name)`.
pub async fn units_for(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<(String, String)>, Internal> {
    Ok(crate::services::people::org::units_to_act_for(state, user)
        .await?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect())
}
