"""The rules of the programme. Views, admin views, API routes and jobs call these; none re-implement them."""
