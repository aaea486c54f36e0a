"""The work database's ``meta`` tables the ingest writes: every landed and loaded file
(``meta.source_files``, the loader's), what discovery found for every family
(``meta.release_index``) and how each publisher answered (``meta.source_status``). Created
together, whoever writes first, so a query over one of them (a raw table's vintage gate reads
the release index's publication dates) finds them all.
"""

DDL = """
create schema if not exists meta;
create table if not exists meta.source_files (
    family      varchar not null,
    source      varchar not null,
    release     varchar not null,
    file        varchar not null,
    sha256      varchar not null,
    bytes       bigint not null,
    origin      varchar not null,
    fetched_at  varchar not null,
    loaded_at   timestamptz not null,
    row_count   bigint not null,
    parse_spec  varchar,
    primary key (family, release, file)
);
alter table meta.source_files add column if not exists parse_spec varchar;

create table if not exists meta.release_index (
    source          varchar not null,
    family          varchar not null,
    release         varchar not null,
    file            varchar not null,
    is_new          boolean not null,
    located_by      varchar not null,
    publication     varchar,
    publisher_release varchar,
    release_title   varchar,
    page            varchar,
    published_at    varchar,
    updated_at      varchar,
    url             varchar,
    etag            varchar,
    last_modified   varchar,
    bytes           bigint,
    sha256          varchar,
    fetched_at      varchar,
    checked_at      varchar not null,
    note            varchar,
    published_from  varchar,  -- whose day published_at is: 'publisher' (discovery) or 'catalogue'
    primary key (family, release, file)
);
-- last, as on a database made before it, so the column order is the same on both
alter table meta.release_index add column if not exists published_from varchar;
create table if not exists meta.source_status (
    source              varchar not null primary key,
    interface           varchar not null,
    checked_at          varchar not null,
    reachable           boolean not null,
    error               varchar,
    requests            integer,
    not_modified        integer,
    latest_published_at varchar,
    next_release_due    varchar,
    next_release_text   varchar,
    overdue             boolean,
    freshness           varchar not null
);
"""
