"""APBDes transparency (the village budget per year) and development projects (pembangunan)."""
