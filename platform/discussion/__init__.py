"""Comments and "bermanfaat" reactions on a village's posts: tables, moderation rules, service."""
