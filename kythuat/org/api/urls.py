app_name = "org-api"
urlpatterns = []
