"""Village content: posts for now; pages, agenda and media arrive with the CMS."""
