-- Migration 0024: each publication of a period's signed audits (audits.publish): when, by whom,
-- where, and which signed version of each provider it held (JSON list).

CREATE TABLE publications (
    period VARCHAR NOT NULL, published_at TIMESTAMP NOT NULL, published_by VARCHAR NOT NULL,
    out_dir VARCHAR, providers_json VARCHAR NOT NULL
);
