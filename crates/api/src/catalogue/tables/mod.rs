//! One file per v2 table; this module only registers them.

pub mod ahrefs_rank;
pub mod anchors;
pub mod anchors_refdomains;
pub mod backlinks;
pub mod backlinks_new_lost;
pub mod backlinks_new_lost_counters;
pub mod backlinks_one_per_domain;
pub mod broken_backlinks;
pub mod broken_links;
pub mod domain_rating;
pub mod linked_anchors;
pub mod linked_domains;
pub mod linked_domains_by_type;
pub mod metrics;
pub mod metrics_extended;
pub mod pages;
pub mod pages_extended;
pub mod pages_info;
pub mod positions_metrics;
pub mod refdomains;
pub mod refdomains_by_type;
pub mod refdomains_new_lost;
pub mod refdomains_new_lost_counters;
pub mod refips;
pub mod subscription_info;

/// Every table, in alphabetical order (the order of the v2 documentation).
pub static ALL: [&crate::catalogue::Table; 25] = [
    &ahrefs_rank::TABLE,
    &anchors::TABLE,
    &anchors_refdomains::TABLE,
    &backlinks::TABLE,
    &backlinks_new_lost::TABLE,
    &backlinks_new_lost_counters::TABLE,
    &backlinks_one_per_domain::TABLE,
    &broken_backlinks::TABLE,
    &broken_links::TABLE,
    &domain_rating::TABLE,
    &linked_anchors::TABLE,
    &linked_domains::TABLE,
    &linked_domains_by_type::TABLE,
    &metrics::TABLE,
    &metrics_extended::TABLE,
    &pages::TABLE,
    &pages_extended::TABLE,
    &pages_info::TABLE,
    &positions_metrics::TABLE,
    &refdomains::TABLE,
    &refdomains_by_type::TABLE,
    &refdomains_new_lost::TABLE,
    &refdomains_new_lost_counters::TABLE,
    &refips::TABLE,
    &subscription_info::TABLE,
];
