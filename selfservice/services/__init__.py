"""What a company's members do from the self-service pages; every action is audited with the
user who did it, and calls the domain's own services to do the work."""
