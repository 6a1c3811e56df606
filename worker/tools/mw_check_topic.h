/* mw_check_topic.h - `meshgate check-topic`: a schema version run over a topic's retained
 * history (see mw_check_topic.c). */
#ifndef MW_CHECK_TOPIC_H
#define MW_CHECK_TOPIC_H

/* argv[0] is "check-topic". Returns the process exit status: 0 every message accepted, 1 some
 * refused, 2 usage or set-up error. */
int mw_check_topic_main(int argc, char **argv);

#endif
