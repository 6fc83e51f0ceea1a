from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "tests.simulation"
    label = "simulation"
    verbose_name = "Simulation (development only)"
