app_name='org'
urlpatterns = []
