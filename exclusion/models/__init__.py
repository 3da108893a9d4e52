from exclusion.models.assessment import Assessment

__all__ = ["Assessment"]
