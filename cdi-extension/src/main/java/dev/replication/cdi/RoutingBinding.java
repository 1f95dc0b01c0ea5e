package dev.replication.cdi;

import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one interceptor binding shared by {@link ReadReplica} and {@link Primary} (both carry it as
 * a meta-annotation). {@link RoutingInterceptor} is bound to this annotation only, so a method
 * that has both annotations in reach (for example a class marked {@code @ReadReplica} with a
 * method marked {@code @Primary}) is intercepted <em>once</em>; the interceptor then reads the
 * nearest annotation (method over class). Applications do not use this annotation directly.
 */
@InterceptorBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RoutingBinding {
}
