from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self):
        # The rule-set page lists the scenarios a draft would change: triage offers the
        # hook and does not import training (the dependency arrows point one way).
        from triage import views as triage_views

        from .selectors import ruleset_scenario_section

        if ruleset_scenario_section not in triage_views.RULESET_DETAIL_SECTIONS:
            triage_views.RULESET_DETAIL_SECTIONS.append(ruleset_scenario_section)
