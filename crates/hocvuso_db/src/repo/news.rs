//! News items and their pictures (`news_item`, `news_image`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entity::{news_image, news_item};

pub use news_item::Model as Item;

/// An item's fields as its unit writes them.
pub struct NewItem<'a> {
    pub unit_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    /// Group codes written `,a,b,` (each between commas, so a code is matched whole); "" for
    /// every group.
    pub groups: &'a str,
    pub public: bool,
    pub publish_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub image_alt: &'a str,
}

/// A picture to keep with an item: bytes, type and size in pixels.
pub struct Picture<'a> {
    pub bytes: &'a [u8],
    pub content_type: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    item: &NewItem<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = news_item::Entity::insert(news_item::ActiveModel {
        unit_id: Set(item.unit_id),
        title: Set(item.title.to_owned()),
        body: Set(item.body.to_owned()),
        groups: Set(item.groups.to_owned()),
        public: Set(item.public),
        publish_at: Set(item.publish_at),
        expires_at: Set(item.expires_at),
        withdrawn_at: Set(None),
        image_type: Set(None),
        image_width: Set(None),
        image_height: Set(None),
        image_alt: Set(item.image_alt.to_owned()),
        by_id: Set(by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// Writes an item's fields again (its picture apart: [`set_picture`]).
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    item: &NewItem<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    news_item::Entity::update_many()
        .col_expr(news_item::Column::UnitId, Expr::value(item.unit_id))
        .col_expr(news_item::Column::Title, Expr::value(item.title))
        .col_expr(news_item::Column::Body, Expr::value(item.body))
        .col_expr(news_item::Column::Groups, Expr::value(item.groups))
        .col_expr(news_item::Column::Public, Expr::value(item.public))
        .col_expr(news_item::Column::PublishAt, Expr::value(item.publish_at))
        .col_expr(news_item::Column::ExpiresAt, Expr::value(item.expires_at))
        .col_expr(news_item::Column::ImageAlt, Expr::value(item.image_alt))
        .col_expr(news_item::Column::UpdatedAt, Expr::value(now))
        .filter(news_item::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Keeps a new picture for the item (the old one goes), or takes it away (`None`).
pub async fn set_picture<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    picture: Option<&Picture<'_>>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    news_image::Entity::delete_many()
        .filter(news_image::Column::NewsId.eq(id))
        .exec(conn)
        .await?;
    if let Some(p) = picture {
        news_image::Entity::insert(news_image::ActiveModel {
            news_id: Set(id),
            bytes: Set(p.bytes.to_vec()),
            ..Default::default()
        })
        .exec_without_returning(conn)
        .await?;
    }
    news_item::Entity::update_many()
        .col_expr(
            news_item::Column::ImageType,
            Expr::value(picture.map(|p| p.content_type.to_owned())),
        )
        .col_expr(
            news_item::Column::ImageWidth,
            Expr::value(picture.and_then(|p| p.width)),
        )
        .col_expr(
            news_item::Column::ImageHeight,
            Expr::value(picture.and_then(|p| p.height)),
        )
        .col_expr(news_item::Column::UpdatedAt, Expr::value(now))
        .filter(news_item::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Takes an item down (`Some(now)`) or puts it back (`None`).
pub async fn set_withdrawn<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    withdrawn_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    news_item::Entity::update_many()
        .col_expr(news_item::Column::WithdrawnAt, Expr::value(withdrawn_at))
        .col_expr(news_item::Column::UpdatedAt, Expr::value(now))
        .filter(news_item::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Item>, DbErr> {
    news_item::Entity::find_by_id(id).one(conn).await
}

/// The picture's bytes of an item.
pub async fn picture<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Vec<u8>>, DbErr> {
    news_image::Entity::find()
        .select_only()
        .column(news_image::Column::Bytes)
        .filter(news_image::Column::NewsId.eq(id))
        .into_tuple()
        .one(conn)
        .await
}

/// Who may read an item, for [`live`].
pub enum Readers<'a> {
    /// Anyone: the public items only.
    Public,
    /// A signed-in person: the public items and those for them.
    Person(&'a Audience<'a>),
    /// Only the items for this person (their home page).
    OnlyFor(&'a Audience<'a>),
}

/// A person as an audience: the units they live or belong in and every unit above, and the
/// groups they are counted in.
pub struct Audience<'a> {
    pub units: &'a [i64],
    pub groups: &'a [String],
}

fn for_audience(a: &Audience<'_>) -> Condition {
    let mut groups = Condition::any().add(news_item::Column::Groups.eq(""));
    for g in a.groups {
        // The code whole between commas, `_` and `%` taken literally.
        let code: String = g
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        groups = groups.add(
            Expr::col((news_item::Entity, news_item::Column::Groups))
                .like(LikeExpr::new(format!("%,{code},%")).escape('\\')),
        );
    }
    Condition::all()
        .add(news_item::Column::UnitId.is_in(a.units.iter().copied()))
        .add(groups)
}

/// The items live now (published, not expired, not taken down) that these readers may read,
/// newest first: `limit` of them after skipping `offset`.
pub async fn live<C: ConnectionTrait>(
    conn: &C,
    readers: &Readers<'_>,
    now: DateTime<Utc>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Item>, DbErr> {
    let who = match readers {
        Readers::Public => Condition::all().add(news_item::Column::Public.eq(true)),
        Readers::Person(a) => Condition::any()
            .add(news_item::Column::Public.eq(true))
            .add(for_audience(a)),
        Readers::OnlyFor(a) => for_audience(a),
    };
    news_item::Entity::find()
        .filter(news_item::Column::WithdrawnAt.is_null())
        .filter(news_item::Column::PublishAt.lte(now))
        .filter(
            Condition::any()
                .add(news_item::Column::ExpiresAt.is_null())
                .add(news_item::Column::ExpiresAt.gt(now)),
        )
        .filter(who)
        .order_by_desc(news_item::Column::PublishAt)
        .order_by_desc(news_item::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Every item of these units (`None`: of every unit), whatever its state, newest first.
pub async fn of_units<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[i64]>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Item>, DbErr> {
    let mut q = news_item::Entity::find();
    if let Some(units) = units {
        q = q.filter(news_item::Column::UnitId.is_in(units.iter().copied()));
    }
    q.order_by_desc(news_item::Column::PublishAt)
        .order_by_desc(news_item::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    news_item::Entity::find().count(conn).await
}
