from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Supervisor dashboards"

    def ready(self):
        from referrals.farmington import detection

        from .tasks import warm_repeat_share_after_detection

        # The repeat-caller share counts referrals: warm it after a run opened some.
        if warm_repeat_share_after_detection not in detection.AFTER_REFERRALS_OPENED:
            detection.AFTER_REFERRALS_OPENED.append(warm_repeat_share_after_detection)
