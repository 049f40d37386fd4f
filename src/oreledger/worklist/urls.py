"""Page routes of the worklist."""

from django.urls import path

from oreledger.worklist.views import tasks, weekly

app_name = "worklist"

urlpatterns = [
    path("", tasks.TaskListView.as_view(), name="task_list"),
    path("groups/", tasks.group_list, name="group_list"),
    path("confirm/", weekly.confirm, name="confirm"),
    path("timeliness/", weekly.timeliness, name="timeliness"),
    path("tasks/<str:number>/", tasks.task_detail, name="task_detail"),
]
