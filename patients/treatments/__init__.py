"""Treatment courses: writes in `services`, reads in `selectors` (the model is patients.models.Treatment)."""
