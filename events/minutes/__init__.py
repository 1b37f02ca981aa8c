"""Minutes of an event (compte rendu): writing, revisions, the amendment round, publication, PDF."""
