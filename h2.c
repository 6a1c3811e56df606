#include <microhttpd.h>
#include <string.h>
#include <unistd.h>
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version, const char *upload, size_t *upload_len, void **state){
 struct MHD_Response *r = MHD_create_response_from_buffer(3, "ok\n", MHD_RESPMEM_PERSISTENT); enum MHD_Result ret = MHD_queue_response(c, 200, r); MHD_destroy_response(r); return ret;}
int main(void){ struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 18080, NULL, NULL, handle, NULL, MHD_OPTION_END); sleep(3); MHD_stop_daemon(d); return 0; }
